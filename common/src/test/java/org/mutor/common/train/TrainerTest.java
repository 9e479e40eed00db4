package org.mutor.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Gradient accumulation inside {@link Trainer#step}. */
class TrainerTest {

    private static final float[] X = {1, 2, -1, 0.5f, 3, -2, 0, 1};  // 4 rows of 2 features
    private static final float[] Y = {1, -1, 2, 0.5f};
    private static NDManager manager;

    @BeforeAll
    static void start() {
        EngineSetup.offline();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static NDArray mse(Parameter w, int from, int rows) {
        NDArray x = manager.create(java.util.Arrays.copyOfRange(X, from * 2, (from + rows) * 2), new Shape(rows, 2));
        NDArray y = manager.create(java.util.Arrays.copyOfRange(Y, from, from + rows));
        return x.matMul(w.getArray()).reshape(rows).sub(y).square().mean();
    }

    /** Trains 3 steps and returns the weights followed by the pre-clip gradient norm of each step. */
    private static float[] train(int accum) {
        Parameter w = Fixtures.parameter(manager, "w", new long[] {2, 1}, new float[] {0.3f, -0.2f});
        Trainer.Config config = new Trainer.Config(LrSchedule.constant(0.05), AdamW.Options.defaults(),
                0, accum, 0, 1);
        try (Trainer trainer = new Trainer(List.of(ParamGroup.of(Fixtures.named(w), 0.01)), config, null)) {
            int rows = 4 / accum;
            float[] out = new float[5];
            for (int step = 0; step < 3; step++) {
                Trainer.StepResult result = trainer.step(c -> mse(w, c.micro() * rows, rows));
                assertEquals(step, result.step());
                // Adam's update barely depends on the gradient scale, so the norm checks the 1/k scaling.
                out[2 + step] = (float) result.gradNorm();
            }
            System.arraycopy(w.getArray().toFloatArray(), 0, out, 0, 2);
            return out;
        }
    }

    @Test
    void accumulationEqualsTheFullBatch() {
        float[] full = train(1);
        Fixtures.assertClose(full, train(2), 1e-6, 1e-7, "2 micro-batches");
        Fixtures.assertClose(full, train(4), 1e-6, 1e-7, "4 micro-batches");
    }

    @Test
    void rejectsNonScalarLossAndBadConfig() {
        Parameter w = Fixtures.parameter(manager, "w", new long[] {2}, new float[] {1, 1});
        Trainer.Config config = new Trainer.Config(LrSchedule.constant(0.1), AdamW.Options.defaults(), 1, 1, 0, 1);
        try (Trainer trainer = new Trainer(List.of(ParamGroup.of(Fixtures.named(w), 0)), config, null)) {
            assertThrows(IllegalArgumentException.class, () -> trainer.step(c -> w.getArray().mul(2)));
        }
        assertThrows(IllegalArgumentException.class, () -> new Trainer.Config(LrSchedule.constant(0.1),
                AdamW.Options.defaults(), 1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Trainer.Config(LrSchedule.constant(0.1),
                AdamW.Options.defaults(), -1, 1, 0, 1));
    }

    @Test
    void nonFiniteGradientSkipsTheUpdate() {
        Parameter w = Fixtures.parameter(manager, "w", new long[] {2}, new float[] {1, -1});
        Trainer.Config config = new Trainer.Config(LrSchedule.constant(0.1), AdamW.Options.defaults(), 1, 1, 0.5, 1);
        try (Trainer trainer = new Trainer(List.of(ParamGroup.of(Fixtures.named(w), 0)), config, null)) {
            // sqrt has an infinite derivative at 0, so the gradient of sum(sqrt(w - w0)) is inf.
            Trainer.StepResult r = trainer.step(c -> w.getArray().sub(manager.create(new float[] {1, -1})).sqrt().sum());
            assertTrue(Double.isInfinite(r.gradNorm()) || Double.isNaN(r.gradNorm()), "norm " + r.gradNorm());
            assertArrayEquals(new float[] {1, -1}, w.getArray().toFloatArray());
            assertArrayEquals(new float[] {1, -1}, trainer.ema().weights().get("w").toFloatArray());
            assertEquals(0, trainer.optimizer().stepCount());
            assertEquals(1, trainer.step());

            // The next, finite step updates as usual.
            trainer.step(c -> w.getArray().square().sum());
            assertEquals(1, trainer.optimizer().stepCount());
            assertTrue(w.getArray().toFloatArray()[0] < 1);
        }
    }
}
