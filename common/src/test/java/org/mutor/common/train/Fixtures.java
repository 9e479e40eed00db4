package org.mutor.common.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Test helpers: reading JSON fixtures and giving parameters exact gradients. */
final class Fixtures {

    private Fixtures() {
    }

    static JsonElement json(String resource) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource
                        + "; run tools/reference/make_optim_fixtures.py");
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
    }

    static float[] floats(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }

    static long[] longs(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    /** Creates a trainable parameter containing {@code values}. */
    static Parameter parameter(NDManager manager, String name, long[] shape, float[] values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(values, new Shape(shape));
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    /** Makes the stored gradient of each parameter equal the given values, via backward of sum(p * g). */
    static void setGradients(List<Parameter> params, List<float[]> grads) {
        Gradients.zeroGrad(params);
        try (NDScope scope = new NDScope();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i).getArray();
                NDArray g = w.getManager().create(grads.get(i), w.getShape());
                NDArray term = w.mul(g).sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    static float[] gradient(Parameter p) {
        try (NDScope scope = new NDScope()) {
            return p.getArray().getGradient().toFloatArray();
        }
    }

    static void assertClose(float[] expected, float[] actual, double rel, double abs, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = Math.max(abs, rel * Math.abs(expected[i]));
            if (Math.abs(expected[i] - actual[i]) > tol) {
                org.junit.jupiter.api.Assertions.fail(what + "[" + i + "]: expected " + expected[i] + " but was "
                        + actual[i] + " (tolerance " + tol + ")");
            }
        }
    }

    static Map<String, Parameter> named(Parameter... params) {
        Map<String, Parameter> out = new java.util.LinkedHashMap<>();
        for (Parameter p : params) {
            out.put(p.getName(), p);
        }
        return out;
    }
}
