package org.mutor.eval.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.tensor.HostTensor;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parity of the Java network with the PyTorch reference on the narrow random-weight fixture. */
class FidInceptionV3Test {

    static final Path DIR = Path.of("src/test/resources/eval");
    static NDManager manager;
    static InceptionWeights weights;
    static Map<String, HostTensor> expected;

    @BeforeAll
    static void load() throws Exception {
        EngineSetup.offline();
        manager = NDManager.newBaseManager(EngineSetup.device());
        weights = InceptionWeights.load(DIR.resolve("inception_narrow.pth"), manager);
        expected = NpzReader.readAll(DIR.resolve("inception_outputs.npz"));
    }

    @AfterAll
    static void close() {
        weights.close();
        manager.close();
    }

    @Test
    void narrowLayoutIsDetected() {
        assertEquals(8, weights.layout().divisor());
        assertEquals(256, weights.layout().poolDim());
    }

    @Test
    void upsampledNonSquareImagesMatchPyTorch() {
        check("small");
    }

    @Test
    void images299SkipTheResizeAndMatchPyTorch() {
        check("299");
    }

    private void check(String name) {
        FidInceptionV3 net = new FidInceptionV3(weights);
        try (NDManager sub = manager.newSubManager()) {
            NDArray images = expected.get("images_" + name).toNDArray(sub);
            FidInceptionV3.Outputs out = net.forward(images);
            assertClose(expected.get("spatial_" + name).toFloatArray(), out.spatial().toFloatArray(), "spatial " + name);
            assertClose(expected.get("pool_" + name).toFloatArray(), out.pool().toFloatArray(), "pool_3 " + name);
            assertClose(expected.get("logits_" + name).toFloatArray(), out.logits().toFloatArray(), "logits " + name);
            assertClose(expected.get("spatial_" + name).toFloatArray(), out.spatial().toFloatArray(), "spatial " + name);
        }
    }

    /** Relative error measured against the largest reference magnitude, 1e-4. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + ": reference is all zero");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / scale);
        }
        assertTrue(worst < 1e-4, what + ": max relative difference " + worst + " " + java.util.Arrays.toString(java.util.Arrays.copyOf(actual, 6)) + " vs " + java.util.Arrays.toString(java.util.Arrays.copyOf(expected, 6)));
    }
}
