package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.SafeTensors;
import org.mutor.common.tensor.HostTensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkpoint layout, in-place loading and its guards; EMA arithmetic. */
class TrainCheckpointTest {

    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        EngineSetup.offline();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void loadModelCopiesIntoTheSameArray() throws Exception {
        Parameter p = Fixtures.parameter(manager, "w", new long[] {2, 2}, new float[] {1, 2, 3, 4});
        Path file = dir.resolve("c.safetensors");
        JsonObject state = new JsonObject();
        state.addProperty("step", 5);
        TrainCheckpoint.write(file, TrainCheckpoint.modelTensors(Fixtures.named(p)), state);
        NDArray array = p.getArray();
        array.muli(0);
        TrainCheckpoint.Contents contents = TrainCheckpoint.read(file);
        assertEquals(5, contents.state().get("step").getAsLong());
        TrainCheckpoint.loadModel(Fixtures.named(p), contents.tensors());
        assertTrue(array == p.getArray(), "loading replaced the parameter's array");
        assertArrayEquals(new float[] {1, 2, 3, 4}, array.toFloatArray());
        // The array owns its values: deleting the file and updating in place must work.
        Files.delete(file);
        array.addi(1);
        assertArrayEquals(new float[] {2, 3, 4, 5}, array.toFloatArray());
    }

    @Test
    void rejectsForeignFilesAndShapes() throws Exception {
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, Map.of("x", HostTensor.ofFloats(new long[] {1}, new float[] {1})), Map.of());
        FormatException e = assertThrows(FormatException.class, () -> TrainCheckpoint.read(plain));
        assertTrue(e.getMessage().contains(TrainCheckpoint.FORMAT_KEY), e.getMessage());

        Path file = dir.resolve("c.safetensors");
        TrainCheckpoint.write(file, Map.of("model/w", HostTensor.ofFloats(new long[] {3}, new float[3])),
                new JsonObject());
        Parameter p = Fixtures.parameter(manager, "w", new long[] {2}, new float[2]);
        e = assertThrows(FormatException.class,
                () -> TrainCheckpoint.loadModel(Fixtures.named(p), TrainCheckpoint.read(file).tensors()));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());

        Path truncated = dir.resolve("t.safetensors");
        Files.write(truncated, new byte[] {1, 2, 3});
        assertThrows(FormatException.class, () -> TrainCheckpoint.read(truncated));
    }

    @Test
    void emaFollowsTheParametersAndCopiesBack() throws Exception {
        Parameter p = Fixtures.parameter(manager, "w", new long[] {2}, new float[] {0, 10});
        try (Ema ema = new Ema(Fixtures.named(p), 0.75)) {
            p.getArray().addi(4);                           // params now (4, 14)
            ema.update();                                   // 0.75 * (0, 10) + 0.25 * (4, 14)
            assertArrayEquals(new float[] {1, 11}, ema.weights().get("w").toFloatArray(), 1e-6f);
            Map<String, HostTensor> saved = ema.stateTensors();
            ema.update();
            ema.loadState(saved);
            assertArrayEquals(new float[] {1, 11}, ema.weights().get("w").toFloatArray(), 1e-6f);
            ema.update();                                   // in place on the loaded copy
            ema.copyTo(Fixtures.named(p));
            assertArrayEquals(new float[] {1.75f, 11.75f}, p.getArray().toFloatArray(), 1e-6f);
            assertThrows(FormatException.class, () -> ema.loadState(Map.of()));
        }
    }

    @Test
    void optimizerStateRoundTrips() throws Exception {
        Parameter p = Fixtures.parameter(manager, "w", new long[] {2}, new float[] {1, 1});
        try (AdamW a = new AdamW(List.of(ParamGroup.of(Fixtures.named(p), 0.1)), AdamW.Options.defaults());
             AdamW b = new AdamW(List.of(ParamGroup.of(Fixtures.named(p), 0.1)), AdamW.Options.defaults())) {
            Fixtures.setGradients(List.of(p), List.of(new float[] {0.5f, -2}));
            a.step(0.01);
            Path file = dir.resolve("o.safetensors");
            TrainCheckpoint.write(file, a.stateTensors(), new JsonObject());
            b.loadState(a.stepCount(), TrainCheckpoint.read(file).tensors());
            assertEquals(1, b.stepCount());
            assertArrayEquals(a.stateTensors().get("exp_avg_sq/w").toFloatArray(),
                    b.stateTensors().get("exp_avg_sq/w").toFloatArray(), 0f);
            b.step(0.01);                                   // in-place update of loaded moments
            assertEquals(2, b.stepCount());
            assertThrows(FormatException.class, () -> b.loadState(-1, a.stateTensors()));
            assertThrows(FormatException.class, () -> b.loadState(1, Map.of()));
        }
    }
}
