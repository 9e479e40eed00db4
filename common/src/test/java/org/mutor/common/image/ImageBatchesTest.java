package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;

import java.util.List;

class ImageBatchesTest {

    @BeforeAll
    static void offline() {
        EngineSetup.offline();
    }

    @Test
    void batchRoundTripsAsNchw() {
        List<RgbImage> images = List.of(TestImages.noise(5, 4, 1), TestImages.noise(5, 4, 2));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray batch = ImageBatches.toBatch(manager, images);
            assertEquals(new Shape(2, 3, 4, 5), batch.getShape());
            assertEquals(DataType.FLOAT32, batch.getDataType());
            // Element [1, 2, 3, 4] is the blue sample of pixel (4, 3) of image 1.
            float expected = images.get(1).sample(4, 3, 2) / 127.5f - 1f;
            assertEquals(expected, batch.getFloat(1, 2, 3, 4), 1e-7f);
            assertEquals(images, ImageBatches.fromBatch(batch));
            try (NDArray half = batch.toType(DataType.FLOAT16, false)) {
                // Float16 keeps 11 significant bits: byte values survive within one step.
                List<RgbImage> back = ImageBatches.fromBatch(half);
                byte[] a = images.get(0).rgb();
                byte[] b = back.get(0).rgb();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i] & 0xFF, b[i] & 0xFF, 1, "sample " + i);
                }
            }
        }
    }

    @Test
    void fromBatchClampsAndTruncates() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] values = {-2f, -1f, 0f, 0.5f, 1f, 3f};
            NDArray batch = manager.create(values, new Shape(1, 3, 1, 2));
            RgbImage image = ImageBatches.fromBatch(batch).get(0);
            // CHW -> HWC: channel c of pixel x is values[2 * c + x].
            assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255, (byte) 0, (byte) 191, (byte) 255},
                    image.rgb());
            assertThrows(IllegalArgumentException.class,
                    () -> ImageBatches.fromBatch(manager.zeros(new Shape(1, 4, 2, 2))));
            assertThrows(IllegalArgumentException.class, () -> ImageBatches.toBatch(manager, List.of()));
        }
    }
}
