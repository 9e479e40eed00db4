package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.HostTensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of parameters, kept as its own copy of the weights:
 * {@code shadow = decay * shadow + (1 - decay) * param} after each optimizer step.
 * Evaluation copies the shadow into the model with {@link #copyTo}.
 */
public final class Ema implements AutoCloseable {

    private final Map<String, Parameter> params;
    private final double decay;
    private final NDManager manager;
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();

    /**
     * Starts the average at the current parameter values.
     *
     * @param decay weight of the old average per update, in [0, 1], for example 0.9999
     */
    public Ema(Map<String, Parameter> params, double decay) {
        if (!(decay >= 0 && decay <= 1)) {
            throw new IllegalArgumentException("invalid EMA decay " + decay + "; use a value in [0, 1]");
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException("EMA received no parameters; pass the model's parameters");
        }
        this.params = new LinkedHashMap<>(params);
        this.decay = decay;
        this.manager = NDManager.newBaseManager(params.values().iterator().next().getArray().getDevice());
        try (NoGrad noGrad = new NoGrad()) {
            params.forEach((name, p) -> shadow.put(name, copy(p.getArray())));
        }
    }

    private NDArray copy(NDArray source) {
        NDArray c = source.duplicate();
        c.attach(manager);
        return c;
    }

    public double decay() {
        return decay;
    }

    /** Moves the average one step towards the current parameters. */
    public void update() {
        try (NoGrad noGrad = new NoGrad()) {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                try (NDScope scope = new NDScope()) {
                    NDArray s = shadow.get(e.getKey());
                    s.muli((float) decay).addi(e.getValue().getArray().mul((float) (1 - decay)));
                }
            }
        }
    }

    /** Returns the averaged weights by parameter name; this object owns and closes them. */
    public Map<String, NDArray> weights() {
        return java.util.Collections.unmodifiableMap(shadow);
    }

    /** Overwrites the given parameters (matched by name) with the averaged weights. */
    public void copyTo(Map<String, Parameter> target) {
        try (NoGrad noGrad = new NoGrad()) {
            for (Map.Entry<String, Parameter> e : target.entrySet()) {
                NDArray s = shadow.get(e.getKey());
                if (s == null) {
                    throw new IllegalArgumentException("EMA has no parameter '" + e.getKey()
                            + "'; pass parameters of the model the average was built for");
                }
                TrainCheckpoint.copyInto(s, e.getValue().getArray());
            }
        }
    }

    /** Copies the averaged weights to host tensors, named {@code ema/NAME}. */
    public Map<String, HostTensor> stateTensors() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        shadow.forEach((name, s) -> out.put("ema/" + name, HostTensor.fromNDArray(s)));
        return out;
    }

    /**
     * Restores the weights saved by {@link #stateTensors}.
     *
     * @throws FormatException when a weight is missing or has another shape
     */
    public void loadState(Map<String, HostTensor> tensors) throws FormatException {
        for (Map.Entry<String, NDArray> e : shadow.entrySet()) {
            HostTensor t = tensors.get("ema/" + e.getKey());
            if (t == null) {
                throw new FormatException("checkpoint lacks EMA weight 'ema/" + e.getKey()
                        + "'; it was written without EMA or for another model");
            }
            if (!Arrays.equals(t.shape(), e.getValue().getShape().getShape())) {
                throw new FormatException("EMA weight '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but the parameter has " + e.getValue().getShape() + "; the checkpoint belongs to another model");
            }
            if (t.dtype().engineType() != e.getValue().getDataType()) {
                throw new FormatException("EMA weight '" + e.getKey() + "' has dtype " + t.dtype().shortName()
                        + " but the parameter has " + e.getValue().getDataType() + "; convert the checkpoint first");
            }
            NDArray loaded = TrainCheckpoint.toOwnedNDArray(t, manager);
            e.getValue().close();
            e.setValue(loaded);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
