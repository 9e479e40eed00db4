package org.mutor.common.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.SafeTensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

class HostTensorEngineTest {

    static {
        EngineSetup.offline();
    }

    @Test
    void mappedTensorCopiedBeforeInPlaceUpdate(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafeTensors.write(file, Map.of("w", HostTensor.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4})), Map.of());
        HostTensor mapped = SafeTensors.read(file).tensors().get("w");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray array = mapped.toNDArray(manager);
            array.muli(10); // Would crash the JVM if the array aliased the read-only mapping.
            assertArrayEquals(new float[] {10, 20, 30, 40}, array.toFloatArray());
        }
        assertArrayEquals(new float[] {1, 2, 3, 4}, SafeTensors.read(file).tensors().get("w").toFloatArray());
    }

    @Test
    void bfloat16WidenedToFloat32() {
        ByteBuffer bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putShort((short) (Float.floatToIntBits(1.5f) >>> 16)).putShort((short) (Float.floatToIntBits(-2f) >>> 16));
        bytes.flip();
        HostTensor bf16 = HostTensor.contiguous("bf16", DType.BFLOAT16, new long[] {2}, bytes);
        try (NDManager manager = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {1.5f, -2f}, bf16.toNDArray(manager).toFloatArray());
        }
    }
}
