package org.mutor.generator.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

class AdmSampleFileTest {

    static {
        EngineSetup.offline();
    }

    @Test
    void uint8ConversionClampsAndTruncates() {
        try (NDManager m = NDManager.newBaseManager()) {
            // -1 -> 0.5 -> 0; 0 -> 128; 1 -> 255.5 -> 255; -0.004 -> 127.49 -> 127; 2 -> 255; -3 -> 0;
            // 0.5 -> 191.75 -> 191; -0.5 -> 64.25 -> 64; 0.999 -> 255.37 -> 255.
            float[] values = {-1f, 0f, 1f, -0.004f, 2f, -3f, 0.5f, -0.5f, 0.999f};
            NDArray images = m.create(values, new Shape(1, 1, 3, 3)).repeat(1, 3); // [1, 3, 3, 3]
            HostTensor bytes = AdmSampleFile.toUint8(images, 3);
            assertEquals(DType.UINT8, bytes.dtype());
            assertArrayEquals(new long[] {1, 3, 3, 3}, bytes.shape());
            long[] got = bytes.toLongArray();
            long[] expectedPixels = {0, 128, 255, 127, 255, 0, 191, 64, 255};
            for (int p = 0; p < 9; p++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(expectedPixels[p], got[p * 3 + c], "pixel " + p + " channel " + c);
                }
            }
        }
    }

    @Test
    void partsResumeAndAssembleIntoNpz(@TempDir Path dir) throws IOException {
        AdmSampleFile file = new AdmSampleFile(dir.resolve("samples.npz"));
        assertEquals(0, file.partCount());
        file.writePart(0, batch(2, 0));
        file.writePart(1, batch(3, 2));
        assertEquals(2, file.partCount());
        assertEquals(5, file.completedSamples());
        // A fresh object (a resumed run) sees the same progress.
        AdmSampleFile resumed = new AdmSampleFile(dir.resolve("samples.npz"));
        assertEquals(5, resumed.completedSamples());
        resumed.writePart(2, batch(1, 5));
        resumed.assemble(6);
        assertFalse(Files.exists(resumed.partsFolder()));
        try (NpzReader reader = NpzReader.open(dir.resolve("samples.npz"))) {
            HostTensor arr = reader.entry("arr_0").read();
            assertArrayEquals(new long[] {6, 4, 4, 3}, arr.shape());
            long[] values = arr.toLongArray();
            for (int i = 0; i < 6; i++) {
                assertEquals(i, values[i * 48], "first byte of sample " + i);
            }
        }
    }

    @Test
    void countMismatchIsRejected(@TempDir Path dir) throws IOException {
        AdmSampleFile file = new AdmSampleFile(dir.resolve("samples.npz"));
        file.writePart(0, batch(2, 0));
        assertThrows(FormatException.class, () -> file.assemble(3));
    }

    /** uint8 [n, 4, 4, 3] where every byte of sample i is firstIndex + i. */
    private static HostTensor batch(int n, int firstIndex) {
        ByteBuffer bytes = ByteBuffer.allocate(n * 48);
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < 48; b++) {
                bytes.put((byte) (firstIndex + i));
            }
        }
        bytes.flip();
        return HostTensor.contiguous("batch", DType.UINT8, new long[] {n, 4, 4, 3}, bytes);
    }
}
