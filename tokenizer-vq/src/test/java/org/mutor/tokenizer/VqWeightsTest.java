package org.mutor.tokenizer;

import org.mutor.common.format.WeightMismatchException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.TorchSaver;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class VqWeightsTest {

    private static final Device CPU = Device.cpu();

    static {
        org.mutor.common.engine.EngineSetup.offline();
    }

    /** Java's expected keys, in order, with shapes, against PyTorch's state_dict of the full-size models. */
    @Test
    void keyLayoutMatchesTorchForVq16AndVq8() throws IOException {
        for (String[] pair : new String[][] {{"vq-16", "vq16_shapes"}, {"vq-8", "vq8_shapes"}}) {
            List<String> want = new ArrayList<>();
            for (JsonElement e : VqFixture.expected().getAsJsonArray(pair[1])) {
                JsonArray entry = e.getAsJsonArray();
                if (!entry.get(0).getAsString().equals(VqWeights.CODEBOOK_USED)) {
                    want.add(entry.get(0).getAsString() + " " + entry.get(1));
                }
            }
            List<String> got = new ArrayList<>();
            VqWeights.expectedShapes(VqConfig.preset(pair[0])).forEach((k, v) ->
                    got.add(k + " " + java.util.Arrays.toString(v).replace(" ", "")));
            assertEquals(want, got, pair[0]);
        }
        assertEquals(71_883_403L, VqConfig.preset("vq-16").parameterCount());
        assertEquals(70_109_835L, VqConfig.preset("vq-8").parameterCount());
    }

    @Test
    void missingKeyNamesKeyAndShape() throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>(VqFixture.stateDict());
        sd.remove("decoder.conv_blocks.1.res.0.nin_shortcut.weight");
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> VqWeights.load(VqFixture.config(), sd, CPU));
        assertTrue(e.getMessage().contains(
                "missing key decoder.conv_blocks.1.res.0.nin_shortcut.weight (expected shape [32, 64, 1, 1])"),
                e.getMessage());
    }

    @Test
    void wrongShapeNamesBothShapes() throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>(VqFixture.stateDict());
        sd.put(VqWeights.CODEBOOK, HostTensor.ofFloats(new long[] {32, 8}, new float[256]));
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> VqWeights.load(VqFixture.config(), sd, CPU));
        assertTrue(e.getMessage().contains("key quantize.embedding.weight has shape [32, 8], expected [64, 8]"),
                e.getMessage());
    }

    @Test
    void unexpectedKeyRejectedButCodebookUsageSkipped() throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>(VqFixture.stateDict());
        assertTrue(sd.containsKey(VqWeights.CODEBOOK_USED), "the fixture stores the usage buffer");
        try (VqModel ok = VqWeights.load(VqFixture.config(), sd, CPU)) {
            assertFalse(ok.parameters().containsKey(VqWeights.CODEBOOK_USED));
            assertEquals(VqFixture.config().parameterCount(),
                    ok.parameters().values().stream().mapToLong(NDArray::size).sum());
        }
        sd.put("encoder.conv_blocks.2.downsample.conv.weight", HostTensor.ofFloats(new long[] {1}, new float[1]));
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> VqWeights.load(VqFixture.config(), sd, CPU));
        assertTrue(e.getMessage().contains("unexpected key(s) encoder.conv_blocks.2.downsample.conv.weight"),
                e.getMessage());
    }

    @Test
    void configOfAnotherModelIsRejected() throws IOException {
        Map<String, HostTensor> sd = VqFixture.stateDict();
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> VqWeights.load(VqConfig.preset("vq-tiny"), sd, CPU));
        assertTrue(e.getMessage().startsWith("VQ checkpoint does not match the config (ch 32, encoder_ch_mult [1, 2]"),
                e.getMessage());
    }

    /** Saves a state dict under "model" and "ema" and loads each entry by name. */
    @Test
    void loadsTheRequestedEntry(@TempDir Path dir) throws IOException {
        VqConfig config = VqConfig.preset("vq-tiny");
        Path file = dir.resolve("vq.pt");
        try (VqModel a = VqWeights.initialize(config, CPU, 1); VqModel b = VqWeights.initialize(config, CPU, 2)) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("model", new LinkedHashMap<>(VqWeights.stateDict(a)));
            root.put("ema", new LinkedHashMap<>(VqWeights.stateDict(b)));
            TorchSaver.save(file, root);
            String key = "decoder.conv_out.weight";
            try (VqModel model = VqWeights.loadFile(config, file, "model", CPU);
                 VqModel ema = VqWeights.loadFile(config, file, "ema", CPU)) {
                assertArrayEquals(a.parameters().get(key).toFloatArray(), model.parameters().get(key).toFloatArray());
                assertArrayEquals(b.parameters().get(key).toFloatArray(), ema.parameters().get(key).toFloatArray());
            }
        }
        FormatException e = assertThrows(FormatException.class, () -> VqWeights.loadFile(config, file, "best", CPU));
        assertTrue(e.getMessage().contains("'best' is missing"), e.getMessage());
    }

    @Test
    void initializationFollowsTorchDefaults() {
        VqConfig config = VqConfig.preset("vq-tiny");
        try (VqModel model = VqWeights.initialize(config, CPU, 3); NDManager m = model.manager().newSubManager()) {
            Map<String, NDArray> p = model.parameters();
            // conv_in has fan-in 3 * 3 * 3 = 27: weights within 1/sqrt(27).
            float bound = (float) (1 / Math.sqrt(27));
            assertTrue(p.get("encoder.conv_in.weight").abs().max().getFloat() <= bound);
            assertTrue(p.get("encoder.conv_in.weight").abs().max().getFloat() > 0.9f * bound);
            assertEquals(1f, p.get("encoder.norm_out.weight").min().getFloat());
            assertEquals(0f, p.get("encoder.norm_out.bias").abs().max().getFloat());
            NDArray norms = p.get(VqWeights.CODEBOOK).norm(new int[] {1});
            assertEquals(1f, norms.min().getFloat(), 1e-5f);
            assertEquals(1f, norms.max().getFloat(), 1e-5f);
        }
    }
}
