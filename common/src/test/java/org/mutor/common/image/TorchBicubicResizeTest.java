package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;

/** Compares with F.interpolate(mode="bicubic", align_corners=False) of PyTorch 2.7.1. */
class TorchBicubicResizeTest {

    private static final Path DIR = Path.of("src/test/resources/resize");

    static {
        EngineSetup.offline();
    }

    @ParameterizedTest
    @CsvSource({"16, 12", "31, 40"})
    void matchesTorchInterpolate(int height, int width) throws IOException {
        HostTensor want = Npy.read(DIR.resolve("bicubic_" + height + "x" + width + ".npy"));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray input = Npy.read(DIR.resolve("bicubic_in.npy")).toNDArray(manager);
            NDArray got = TorchBicubicResize.resize(input, height, width);
            assertArrayEquals(want.shape(), got.getShape().getShape());
            float[] g = got.toFloatArray();
            float[] w = want.toFloatArray();
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < w.length; i++) {
                diff += (double) (g[i] - w[i]) * (g[i] - w[i]);
                norm += (double) w[i] * w[i];
            }
            assertTrue(Math.sqrt(diff / norm) < 1e-6, "relative error " + Math.sqrt(diff / norm));
        }
    }
}
