package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.HostTensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay, computing what torch.optim.AdamW computes by default
 * (single-tensor, not amsgrad, not maximize). For each parameter p with gradient g, at
 * update t (1-based) with group rate {@code lr' = lr * lrScale}:
 * <pre>
 * p  *= 1 - lr' * wd
 * m   = beta1 * m + (1 - beta1) * g
 * v   = beta2 * v + (1 - beta2) * g^2
 * p  -= lr' / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Plain Adam is AdamW with weight decay 0 in every group.
 *
 * <p>The moments live in the optimizer's own manager, so activations never pile up
 * next to them; the parameters are updated in place with gradient recording off.
 * Gradients are left as they are: call {@link Gradients#zeroGrad} after each step.
 */
public final class AdamW implements AutoCloseable {

    /**
     * Hyper-parameters shared by all groups.
     *
     * @param beta1 decay of the first moment, in [0, 1)
     * @param beta2 decay of the second moment, in [0, 1)
     * @param eps added to the bias-corrected root of the second moment
     */
    public record Options(double beta1, double beta2, double eps) {

        public Options {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("invalid betas (" + beta1 + ", " + beta2 + "); use values in [0, 1)");
            }
            if (!(eps >= 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("invalid eps " + eps + "; use a finite value >= 0");
            }
        }

        /** torch's defaults: betas (0.9, 0.999), eps 1e-8. */
        public static Options defaults() {
            return new Options(0.9, 0.999, 1e-8);
        }

        /** Defaults with other betas, for example (0.9, 0.95) as in GPT training. */
        public static Options betas(double beta1, double beta2) {
            return new Options(beta1, beta2, 1e-8);
        }
    }

    private final List<ParamGroup> groups;
    private final Options options;
    private final NDManager manager;
    private final Map<String, NDArray> exp = new LinkedHashMap<>();
    private final Map<String, NDArray> expSq = new LinkedHashMap<>();
    private long stepCount;

    /**
     * Creates the optimizer with zero moments for every parameter of {@code groups}.
     *
     * @throws IllegalArgumentException when a parameter appears twice or is not initialized
     */
    public AdamW(List<ParamGroup> groups, Options options) {
        this.groups = List.copyOf(groups);
        this.options = options;
        Map<String, Parameter> all = ParamGroup.allParams(this.groups);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("AdamW received no parameters; pass at least one non-empty group");
        }
        NDArray first = all.values().iterator().next().getArray();
        this.manager = NDManager.newBaseManager(first.getDevice());
        for (Map.Entry<String, Parameter> e : all.entrySet()) {
            NDArray w = e.getValue().getArray();
            exp.put(e.getKey(), manager.zeros(w.getShape(), w.getDataType()));
            expSq.put(e.getKey(), manager.zeros(w.getShape(), w.getDataType()));
        }
    }

    /** Returns the parameter groups, in order. */
    public List<ParamGroup> groups() {
        return groups;
    }

    public Options options() {
        return options;
    }

    /** Number of updates applied so far (torch's per-parameter "step", shared by all). */
    public long stepCount() {
        return stepCount;
    }

    /** Applies one update with base learning rate {@code lr} to every parameter that requires a gradient. */
    public void step(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("invalid learning rate " + lr + "; use a finite value >= 0");
        }
        stepCount++;
        double beta1 = options.beta1();
        double beta2 = options.beta2();
        double bias1 = 1 - Math.pow(beta1, stepCount);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, stepCount));
        try (NoGrad noGrad = new NoGrad()) {
            for (ParamGroup group : groups) {
                double groupLr = lr * group.lrScale();
                float decay = (float) (1 - groupLr * group.weightDecay());
                float stepSize = (float) (groupLr / bias1);
                for (Map.Entry<String, Parameter> e : group.params().entrySet()) {
                    Parameter p = e.getValue();
                    if (!p.requiresGradient()) {
                        continue;
                    }
                    try (NDScope scope = new NDScope()) {
                        NDArray w = p.getArray();
                        NDArray g = w.getGradient();
                        NDArray m = exp.get(e.getKey());
                        NDArray v = expSq.get(e.getKey());
                        if (group.weightDecay() != 0) {
                            w.muli(decay);
                        }
                        m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                        v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                        NDArray denom = v.sqrt().divi((float) bias2Sqrt).addi((float) options.eps());
                        w.subi(m.div(denom).muli(stepSize));
                    }
                }
            }
        }
    }

    /** Zeroes the gradients of all parameters of all groups. */
    public void zeroGrad() {
        Gradients.zeroGrad(ParamGroup.allParams(groups).values());
    }

    /** Copies the moments to host tensors, named {@code exp_avg/NAME} and {@code exp_avg_sq/NAME}. */
    public Map<String, HostTensor> stateTensors() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        exp.forEach((name, m) -> out.put("exp_avg/" + name, HostTensor.fromNDArray(m)));
        expSq.forEach((name, v) -> out.put("exp_avg_sq/" + name, HostTensor.fromNDArray(v)));
        return out;
    }

    /**
     * Restores the moments and the step count saved by {@link #stateTensors}.
     *
     * @throws FormatException when a moment is missing or its shape differs from its parameter
     */
    public void loadState(long steps, Map<String, HostTensor> tensors) throws FormatException {
        if (steps < 0) {
            throw new FormatException("invalid optimizer step count " + steps + " in checkpoint; it must be >= 0");
        }
        for (String prefix : new String[] {"exp_avg/", "exp_avg_sq/"}) {
            Map<String, NDArray> target = prefix.equals("exp_avg/") ? exp : expSq;
            for (Map.Entry<String, NDArray> e : target.entrySet()) {
                HostTensor t = tensors.get(prefix + e.getKey());
                if (t == null) {
                    throw new FormatException("checkpoint lacks optimizer moment '" + prefix + e.getKey()
                            + "'; it was written for another model or without optimizer state");
                }
                if (!Arrays.equals(t.shape(), e.getValue().getShape().getShape())) {
                    throw new FormatException("optimizer moment '" + prefix + e.getKey() + "' has shape "
                            + Arrays.toString(t.shape()) + " but the parameter has "
                            + e.getValue().getShape() + "; the checkpoint belongs to another model");
                }
                if (t.dtype().engineType() != e.getValue().getDataType()) {
                    throw new FormatException("optimizer moment '" + prefix + e.getKey() + "' has dtype " + t.dtype().shortName()
                            + " but the parameter has " + e.getValue().getDataType() + "; convert the checkpoint first");
                }
                NDArray loaded = TrainCheckpoint.toOwnedNDArray(t, manager);
                e.getValue().close();
                e.setValue(loaded);
            }
        }
        stepCount = steps;
    }

    /** Frees the moments. */
    @Override
    public void close() {
        manager.close();
    }
}
