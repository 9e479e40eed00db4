package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AdamW, clipping and the schedule against torch.optim.AdamW on a fixed Linear(4, 3). */
class AdamWTest {

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

    @Test
    void adamWMatchesTorchFixture() throws Exception {
        JsonObject r = Fixtures.json("/optim/adamw_steps.json").getAsJsonObject();
        Parameter weight = Fixtures.parameter(manager, "weight", Fixtures.longs(r.get("weight_shape")),
                Fixtures.floats(r.get("weight0")));
        Parameter bias = Fixtures.parameter(manager, "bias", Fixtures.longs(r.get("bias_shape")),
                Fixtures.floats(r.get("bias0")));
        JsonObject s = r.getAsJsonObject("schedule");
        LrSchedule schedule = LrSchedule.warmupCosine(s.get("peak").getAsDouble(), s.get("warmup").getAsLong(),
                s.get("total").getAsLong(), s.get("min").getAsDouble());
        AdamW.Options options = new AdamW.Options(r.getAsJsonArray("betas").get(0).getAsDouble(),
                r.getAsJsonArray("betas").get(1).getAsDouble(), r.get("eps").getAsDouble());
        List<ParamGroup> groups = List.of(
                ParamGroup.of(Fixtures.named(weight), r.get("weight_decay").getAsDouble()),
                ParamGroup.of(Fixtures.named(bias), 0.0));
        double maxNorm = r.get("max_norm").getAsDouble();
        int batch = r.get("batch").getAsInt();
        int step = 0;
        try (AdamW adamW = new AdamW(groups, options)) {
            for (JsonElement e : r.getAsJsonArray("steps")) {
                JsonObject rec = e.getAsJsonObject();
                String at = "step " + step;
                // The model's loss from the Java weights must match torch's loss before this update.
                try (NDScope scope = new NDScope()) {
                    NDArray x = manager.create(Fixtures.floats(rec.get("x")), new Shape(batch, 4));
                    NDArray y = manager.create(Fixtures.floats(rec.get("y")), new Shape(batch, 3));
                    NDArray out = x.matMul(weight.getArray().transpose()).add(bias.getArray());
                    float loss = out.sub(y).square().mean().getFloat();
                    assertEquals(rec.get("loss").getAsDouble(), loss, 1e-5 * Math.abs(loss), at + " loss");
                }
                assertEquals(rec.get("lr").getAsDouble(), schedule.lr(step), 1e-15, at + " lr");
                Fixtures.setGradients(List.of(weight, bias),
                        List.of(Fixtures.floats(rec.get("grad_weight")), Fixtures.floats(rec.get("grad_bias"))));
                double norm = Gradients.clipGradNorm(List.of(weight, bias), maxNorm);
                assertEquals(rec.get("grad_norm").getAsDouble(), norm, 1e-6 * norm, at + " grad norm");
                adamW.step(schedule.lr(step));
                adamW.zeroGrad();
                Fixtures.assertClose(Fixtures.floats(rec.get("weight")), weight.getArray().toFloatArray(),
                        1e-5, 1e-7, at + " weight");
                Fixtures.assertClose(Fixtures.floats(rec.get("bias")), bias.getArray().toFloatArray(),
                        1e-5, 1e-7, at + " bias");
                step++;
            }
            assertEquals(step, adamW.stepCount());
            assertTrue(step >= 8, "fixture holds too few steps");
        }
    }

    @Test
    void decayGoesToMatricesOnly() {
        Linear linear = Linear.builder().setUnits(3).build();
        linear.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
        List<ParamGroup> groups = ParamGroup.decayAndNoDecay(linear, 0.1);
        assertEquals(List.of("weight"), List.copyOf(groups.get(0).params().keySet()));
        assertEquals(0.1, groups.get(0).weightDecay());
        assertEquals(List.of("bias"), List.copyOf(groups.get(1).params().keySet()));
        assertEquals(0.0, groups.get(1).weightDecay());
        // The grouped parameters are the block's own, so a forward pass uses the updated values.
        try (NDScope scope = new NDScope(); AdamW adamW = new AdamW(groups, AdamW.Options.defaults())) {
            NDArray x = manager.ones(new Shape(2, 4));
            NDArray before = linear.forward(new ParameterStore(manager, false), new NDList(x), false).head();
            NDArray xw = x.matMul(groups.get(0).params().get("weight").getArray().transpose());
            Fixtures.setGradients(List.of(groups.get(0).params().get("weight"), groups.get(1).params().get("bias")),
                    List.of(new float[12], new float[] {1, 1, 1}));
            adamW.step(0.1);
            NDArray after = linear.forward(new ParameterStore(manager, false), new NDList(x), false).head();
            // Adam's first step moves each bias by lr * sign(g) = 0.1; the weight, with a zero
            // gradient, only shrinks by lr * wd = 1 %, the bias does not shrink at all.
            Fixtures.assertClose(xw.mul(0.01f).add(0.1f).toFloatArray(), before.sub(after).toFloatArray(),
                    1e-4, 1e-6, "output change");
        }
    }

    @Test
    void lrScaleAndPlainAdam() {
        Parameter a = Fixtures.parameter(manager, "a", new long[] {2}, new float[] {1, -2});
        Parameter b = Fixtures.parameter(manager, "b", new long[] {2}, new float[] {1, -2});
        try (AdamW adamW = new AdamW(List.of(new ParamGroup(Fixtures.named(a), 0, 1.0),
                new ParamGroup(Fixtures.named(b), 0, 0.5)), AdamW.Options.defaults())) {
            Fixtures.setGradients(List.of(a, b), List.of(new float[] {3, -1}, new float[] {3, -1}));
            adamW.step(0.01);
            // First Adam step: p -= lr * g / (|g| + eps * ...) = lr * sign(g).
            Fixtures.assertClose(new float[] {0.99f, -1.99f}, a.getArray().toFloatArray(), 1e-6, 1e-7, "a");
            Fixtures.assertClose(new float[] {0.995f, -1.995f}, b.getArray().toFloatArray(), 1e-6, 1e-7, "b");
            Map<String, org.mutor.common.tensor.HostTensor> state = adamW.stateTensors();
            Fixtures.assertClose(new float[] {0.3f, -0.1f}, state.get("exp_avg/a").toFloatArray(), 1e-6, 0, "m");
            Fixtures.assertClose(new float[] {0.009f, 0.001f}, state.get("exp_avg_sq/a").toFloatArray(), 1e-5, 0, "v");
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Options(1.0, 0.999, 1e-8));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Options(0.9, 0.999, -1));
        assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(Map.of(), -0.1));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(ParamGroup.of(Map.of(), 0)),
                AdamW.Options.defaults()));
        Parameter a = Fixtures.parameter(manager, "a", new long[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(ParamGroup.of(Fixtures.named(a), 0),
                ParamGroup.of(Fixtures.named(a), 0)), AdamW.Options.defaults()));
        try (AdamW adamW = new AdamW(List.of(ParamGroup.of(Fixtures.named(a), 0)), AdamW.Options.defaults())) {
            assertThrows(IllegalArgumentException.class, () -> adamW.step(Double.NaN));
        }
    }
}
