package org.mutor.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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
import java.util.Map;

/** The random-weight VQ model and reference outputs written by tools/reference/make_vq_fixtures.py. */
final class VqFixture {

    static final Path DIR = Path.of("src/test/resources/vq");
    static final Path CHECKPOINT = DIR.resolve("vq_tiny.pt");

    static {
        EngineSetup.offline();
    }

    private VqFixture() {
    }

    static JsonObject expected() throws IOException {
        return JsonParser.parseString(Files.readString(DIR.resolve("expected.json"))).getAsJsonObject();
    }

    static VqConfig config() {
        return VqConfig.fromYaml(YamlConfig.load(DIR.resolve("vq-tiny-fixture.yaml")));
    }

    static Map<String, HostTensor> stateDict() throws IOException {
        return TorchFile.flatten(TorchFile.loadDict(CHECKPOINT, "model"));
    }

    static VqModel model() throws IOException {
        return VqWeights.loadFile(config(), CHECKPOINT, "model", EngineSetup.device());
    }

    static HostTensor array(String name) throws IOException {
        return Npy.read(DIR.resolve(name));
    }

    static NDArray ndarray(NDManager manager, String name) throws IOException {
        return array(name).toNDArray(manager);
    }

    /** ||got - want|| / ||want||. */
    static double relativeError(float[] got, float[] want) {
        if (got.length != want.length) {
            throw new AssertionError("length " + got.length + " differs from the expected " + want.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (double) (got[i] - want[i]) * (got[i] - want[i]);
            norm += (double) want[i] * want[i];
        }
        return Math.sqrt(diff / norm);
    }
}
