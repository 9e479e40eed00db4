package org.mutor.common.format.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Copies tensors read from a torch.save file into the engine. */
class TorchToEngineTest {

    @BeforeAll
    static void offline() {
        EngineSetup.offline();
    }

    @Test
    void everyTensorReachesTheEngineUnchanged() throws IOException {
        Map<String, HostTensor> tensors = TorchFile.flatten(TorchFile.load(TorchFileTest.fixture("everything_zip.pt")));
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
                HostTensor tensor = entry.getValue();
                NDArray array = tensor.toNDArray(manager);
                assertArrayEquals(tensor.shape(), array.getShape().getShape(), entry.getKey());
                assertEquals(tensor.dtype().engineType(), array.getDataType(), entry.getKey());
                double[] engine = array.toType(DataType.FLOAT64, false).toDoubleArray();
                assertArrayEquals(tensor.toDoubleArray(), engine, entry.getKey());
            }
        }
    }

    @Test
    void inPlaceOpLeavesTheMappedFileAlone() throws IOException {
        // The storage is a read-only mapping; writing through a wrapped array would crash the JVM.
        HostTensor tensor = (HostTensor) TorchFile.loadDict(TorchFileTest.fixture("everything_zip.pt"), null)
                .get("shared_whole");
        float[] before = tensor.toFloatArray();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray array = tensor.toNDArray(manager);
            array.addi(1f);
            assertEquals(before[3] + 1f, array.toFloatArray()[3], 1e-6);
        }
        assertArrayEquals(before, tensor.toFloatArray());
    }
}
