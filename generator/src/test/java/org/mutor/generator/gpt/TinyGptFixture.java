package org.mutor.generator.gpt;

import ai.djl.Device;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.mutor.common.config.YamlConfig;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The random-weight GPT and reference outputs written by tools/reference/make_gpt_fixtures.py. */
public final class TinyGptFixture {

    public static final Path DIR = Path.of("src/test/resources/gpt");

    static {
        EngineSetup.offline();
    }

    private TinyGptFixture() {
    }

    public static JsonObject expected() throws IOException {
        return JsonParser.parseString(Files.readString(DIR.resolve("expected.json"))).getAsJsonObject();
    }

    public static GptConfig config() throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        expected().getAsJsonObject("config").entrySet().forEach(e -> map.put(e.getKey(), e.getValue().getAsInt()));
        return GptConfig.fromYaml(YamlConfig.of("fixture config", map));
    }

    public static Map<String, HostTensor> stateDict() throws IOException {
        return TorchFile.flatten(TorchFile.loadDict(DIR.resolve("gpt_tiny.pt"), "model"));
    }

    public static GptModel model() throws IOException {
        Device device = EngineSetup.device();
        return GptWeights.load(config(), stateDict(), device, GptWeights.RegisterPolicy.SKIP);
    }

    public static HostTensor array(String name) throws IOException {
        return Npy.read(DIR.resolve(name));
    }

    /** ||got - want|| / ||want||. */
    public static double relativeError(float[] got, float[] want) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (double) (got[i] - want[i]) * (got[i] - want[i]);
            norm += (double) want[i] * want[i];
        }
        return Math.sqrt(diff / norm);
    }
}
