package org.mutor.common.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Global-norm clipping against torch.nn.utils.clip_grad_norm_, and gradient zeroing. */
class GradientsTest {

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
    void clipGradNormMatchesTorch() throws Exception {
        int cases = 0;
        for (JsonElement e : Fixtures.json("/optim/clip_grad_norm.json").getAsJsonArray()) {
            JsonObject c = e.getAsJsonObject();
            List<Parameter> params = new ArrayList<>();
            List<float[]> grads = new ArrayList<>();
            for (int i = 0; i < c.getAsJsonArray("shapes").size(); i++) {
                long[] shape = Fixtures.longs(c.getAsJsonArray("shapes").get(i));
                float[] g = Fixtures.floats(c.getAsJsonArray("grads").get(i));
                params.add(Fixtures.parameter(manager, "p" + i, shape, new float[g.length]));
                grads.add(g);
            }
            Fixtures.setGradients(params, grads);
            double norm = Gradients.clipGradNorm(params, c.get("max_norm").getAsDouble());
            assertEquals(c.get("norm").getAsDouble(), norm, 1e-6 * norm, "norm of case " + cases);
            for (int i = 0; i < params.size(); i++) {
                Fixtures.assertClose(Fixtures.floats(c.getAsJsonArray("clipped").get(i)),
                        Fixtures.gradient(params.get(i)), 1e-6, 1e-9, "clipped gradient " + i + " of case " + cases);
            }
            cases++;
        }
        assertEquals(2, cases);
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Parameter p = Fixtures.parameter(manager, "p", new long[] {3}, new float[] {1, 2, 3});
        for (int use = 0; use < 2; use++) {
            try (NDScope scope = new NDScope();
                 GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(p.getArray().mul(2).sum());
            }
        }
        assertArrayEquals(new float[] {4, 4, 4}, Fixtures.gradient(p));
        assertEquals(Math.sqrt(48), Gradients.globalNorm(List.of(p)), 1e-5);
        Gradients.zeroGrad(List.of(p));
        assertArrayEquals(new float[] {0, 0, 0}, Fixtures.gradient(p));
        try (NDScope scope = new NDScope();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(p.getArray().sum());
        }
        assertArrayEquals(new float[] {1, 1, 1}, Fixtures.gradient(p));
    }

    @Test
    void zeroGradBeforeAnyBackwardIsHarmless() {
        Parameter p = Fixtures.parameter(manager, "fresh", new long[] {2}, new float[] {1, 2});
        Gradients.zeroGrad(List.of(p));
        assertArrayEquals(new float[] {1, 2}, p.getArray().toFloatArray());
    }

    @Test
    void rejectsNonPositiveMaxNorm() {
        Parameter p = Fixtures.parameter(manager, "q", new long[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> Gradients.clipGradNorm(List.of(p), 0));
        assertThrows(IllegalArgumentException.class, () -> Gradients.clipGradNorm(List.of(p), Double.NaN));
    }

    @Test
    void resultsStayOutOfTheParameterManager() {
        try (NDManager own = NDManager.newBaseManager()) {
            Parameter p = Fixtures.parameter(own, "r", new long[] {4}, new float[] {1, 2, 3, 4});
            Fixtures.setGradients(List.of(p), List.of(new float[] {3, 0, 4, 0}));
            int before = own.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                Gradients.clipGradNorm(List.of(p), 1.0);
            }
            NDArray g = p.getArray().getGradient();
            assertEquals(before + 1, own.getManagedArrays().size(), "clipping left arrays behind");
            g.close();
        }
    }
}
