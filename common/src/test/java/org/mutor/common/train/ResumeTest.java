package org.mutor.common.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.HostTensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small MLP with engine-side and Java-side dropout, shuffled data, accumulation,
 * clipping, a schedule and EMA: 20 steps + checkpoint + fresh objects + 10 steps must
 * reproduce an uninterrupted 30-step run.
 */
class ResumeTest {

    private static final int EXAMPLES = 48;
    private static final int FEATURES = 8;
    private static final int BATCH = 8;
    private static final long SEED = 42;
    private static float[] inputs;
    private static float[] targets;
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        EngineSetup.offline();
        manager = NDManager.newBaseManager();
        SplittableRandom random = new SplittableRandom(7);
        inputs = new float[EXAMPLES * FEATURES];
        targets = new float[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            double sum = 0;
            for (int f = 0; f < FEATURES; f++) {
                float v = (float) random.nextGaussian();
                inputs[i * FEATURES + f] = v;
                sum += v * (f % 3 - 1);
            }
            targets[i] = (float) Math.sin(sum);
        }
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** One run's model, order and trainer. */
    private static final class Run implements AutoCloseable {
        final SequentialBlock block = new SequentialBlock();
        final ShuffledOrder order = new ShuffledOrder(EXAMPLES, SEED);
        final Trainer trainer;
        final NDManager own = manager.newSubManager();

        Run(int initSeed) {
            block.add(Linear.builder().setUnits(16).build())
                    .add(Activation.reluBlock())
                    .add(ai.djl.nn.norm.Dropout.builder().optRate(0.3f).build())
                    .add(Linear.builder().setUnits(1).build());
            Engine.getInstance().setRandomSeed(initSeed);
            block.initialize(own, DataType.FLOAT32, new Shape(BATCH, FEATURES));
            Trainer.Config config = new Trainer.Config(LrSchedule.warmupCosine(0.02, 5, 30, 0.002),
                    AdamW.Options.betas(0.9, 0.95), 0.5, 2, 0.9, SEED);
            trainer = new Trainer(ParamGroup.decayAndNoDecay(block, 0.05), config, order);
        }

        NDArray loss(Trainer.StepContext context) {
            int[] rows = order.next(BATCH);
            float[] x = new float[BATCH * FEATURES];
            float[] y = new float[BATCH];
            for (int b = 0; b < BATCH; b++) {
                System.arraycopy(inputs, rows[b] * FEATURES, x, b * FEATURES, FEATURES);
                y[b] = targets[rows[b]];
            }
            NDArray input = Dropout.apply(own.create(x, new Shape(BATCH, FEATURES)), 0.1, true, context.random(1));
            NDArray out = block.forward(new ParameterStore(own, false), new NDList(input), true).head();
            return out.reshape(BATCH).sub(own.create(y)).square().mean();
        }

        List<Double> train(int steps) {
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                losses.add(trainer.step(this::loss).loss());
            }
            return losses;
        }

        @Override
        public void close() {
            trainer.close();
            own.close();
        }
    }

    private static Map<String, float[]> values(Map<String, Parameter> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put(name, p.getArray().toFloatArray()));
        return out;
    }

    @Test
    void resumedRunContinuesExactly() throws Exception {
        List<Double> full;
        Map<String, float[]> fullParams;
        Map<String, HostTensor> fullEma;
        try (Run run = new Run(1)) {
            full = run.train(30);
            fullParams = values(run.trainer.params());
            fullEma = run.trainer.ema().stateTensors();
        }
        Path checkpoint = dir.resolve("state.safetensors");
        try (Run first = new Run(1)) {
            List<Double> head = first.train(20);
            assertEquals(full.subList(0, 20), head, "the first 20 steps differ: the run itself is not deterministic");
            JsonObject extra = new JsonObject();
            extra.addProperty("note", "after 20");
            first.trainer.save(checkpoint, extra);
        }
        List<Double> tail;
        try (Run second = new Run(2)) {
            JsonObject extra = second.trainer.load(checkpoint);
            assertEquals("after 20", extra.get("note").getAsString());
            assertEquals(20, second.trainer.step());
            assertEquals(20 * 2 * BATCH, second.order.consumed());
            tail = second.train(10);
            Map<String, float[]> resumedParams = values(second.trainer.params());
            for (String name : fullParams.keySet()) {
                assertArrayEquals(fullParams.get(name), resumedParams.get(name), 0f, "parameter " + name);
                assertArrayEquals(fullEma.get("ema/" + name).toFloatArray(),
                        second.trainer.ema().stateTensors().get("ema/" + name).toFloatArray(), 0f, "EMA of " + name);
            }
        }
        for (int i = 0; i < 10; i++) {
            double expected = full.get(20 + i);
            assertEquals(expected, tail.get(i), 1e-6 * Math.abs(expected), "loss at step " + (21 + i));
        }
    }

    @Test
    void resumeWithoutMomentsDiverges() throws Exception {
        List<Double> full;
        try (Run run = new Run(1)) {
            full = run.train(30);
        }
        Path checkpoint = dir.resolve("state.safetensors");
        try (Run first = new Run(1)) {
            first.train(20);
            first.trainer.save(checkpoint, null);
        }
        try (Run second = new Run(2)) {
            second.trainer.load(checkpoint);
            Map<String, HostTensor> zeros = new LinkedHashMap<>();
            second.trainer.optimizer().stateTensors().forEach((name, t) ->
                    zeros.put(name, HostTensor.ofFloats(t.shape(), new float[(int) t.numel()])));
            second.trainer.optimizer().loadState(0, zeros);
            List<Double> tail = second.train(10);
            double worst = 0;
            for (int i = 0; i < 10; i++) {
                worst = Math.max(worst, Math.abs(tail.get(i) - full.get(20 + i)) / Math.abs(full.get(20 + i)));
            }
            assertTrue(worst > 1e-4, "losses without restored moments should differ, worst relative gap " + worst);
        }
    }

    @Test
    void loadRejectsAnotherSeedAndAnotherModel() throws Exception {
        Path checkpoint = dir.resolve("state.safetensors");
        try (Run first = new Run(1)) {
            first.train(1);
            first.trainer.save(checkpoint, null);
        }
        try (Run other = new Run(1)) {
            Trainer.Config c = other.trainer.config();
            try (Trainer wrongSeed = new Trainer(ParamGroup.decayAndNoDecay(other.block, 0.05),
                    new Trainer.Config(c.schedule(), c.adam(), c.maxGradNorm(), c.accumSteps(), c.emaDecay(), 7),
                    other.order)) {
                FormatException e = assertThrows(FormatException.class, () -> wrongSeed.load(checkpoint));
                assertTrue(e.getMessage().contains("seed"), e.getMessage());
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Fixtures.parameter(m, "unrelated", new long[] {3}, new float[3]);
            try (Trainer unrelated = new Trainer(List.of(ParamGroup.of(Fixtures.named(p), 0)),
                    new Trainer.Config(LrSchedule.constant(0.1), AdamW.Options.defaults(), 0, 1, 0, SEED), null)) {
                FormatException e = assertThrows(FormatException.class, () -> unrelated.load(checkpoint));
                assertTrue(e.getMessage().contains("model/unrelated"), e.getMessage());
            }
        }
    }
}
