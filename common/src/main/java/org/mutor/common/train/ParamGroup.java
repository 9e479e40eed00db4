package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share one weight decay and one learning-rate scale, as in
 * torch.optim parameter groups. Parameters are keyed by their path in the block
 * (stable across fresh model objects), which names their optimizer state in checkpoints.
 *
 * @param params parameters by name, in a fixed order
 * @param weightDecay decoupled weight decay coefficient (0 for none)
 * @param lrScale factor applied to the scheduled learning rate for this group
 */
public record ParamGroup(Map<String, Parameter> params, double weightDecay, double lrScale) {

    public ParamGroup {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("invalid weight decay " + weightDecay + "; use a finite value >= 0");
        }
        if (!(lrScale >= 0) || Double.isInfinite(lrScale)) {
            throw new IllegalArgumentException("invalid lr scale " + lrScale + "; use a finite value >= 0");
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** Creates a group with learning-rate scale 1. */
    public static ParamGroup of(Map<String, Parameter> params, double weightDecay) {
        return new ParamGroup(params, weightDecay, 1.0);
    }

    /**
     * Splits the trainable parameters of an initialized block into a decayed group
     * (2 or more dimensions: matrices, convolution kernels, embeddings) and an undecayed
     * group (biases, norm scales), the rule of nanoGPT and LlamaGen.
     *
     * @return the decayed group first, then the undecayed one
     */
    public static List<ParamGroup> decayAndNoDecay(Block block, double weightDecay) {
        Map<String, Parameter> decay = new LinkedHashMap<>();
        Map<String, Parameter> noDecay = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            Parameter p = entry.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            if (!p.isInitialized()) {
                throw new IllegalStateException("parameter '" + entry.getKey()
                        + "' is not initialized; initialize the block before building parameter groups");
            }
            (p.getArray().getShape().dimension() >= 2 ? decay : noDecay).put(entry.getKey(), p);
        }
        return List.of(of(decay, weightDecay), of(noDecay, 0.0));
    }

    /**
     * Wraps named engine arrays, such as a model's weights under their checkpoint keys,
     * as trainable parameters that record gradients.
     */
    public static Map<String, Parameter> trainable(Map<String, NDArray> arrays) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            Parameter p = Parameter.builder().setName(e.getKey()).setType(Parameter.Type.WEIGHT).build();
            e.getValue().setRequiresGradient(true);
            p.setArray(e.getValue());
            params.put(e.getKey(), p);
        }
        return params;
    }

    /**
     * Splits parameters into a group with {@code weightDecay} for those of 2 or more
     * dimensions and an undecayed group for the rest (biases, norm scales, a register
     * embedding).
     *
     * @return the decayed group first, then the undecayed one
     */
    public static List<ParamGroup> decayAndNoDecay(Map<String, Parameter> params, double weightDecay) {
        Map<String, Parameter> decay = new LinkedHashMap<>();
        Map<String, Parameter> noDecay = new LinkedHashMap<>();
        params.forEach((name, p) -> (p.getArray().getShape().dimension() >= 2 ? decay : noDecay).put(name, p));
        return List.of(of(decay, weightDecay), of(noDecay, 0.0));
    }

    /** Collects the parameters of all groups by name, rejecting a name or parameter listed twice. */
    public static Map<String, Parameter> allParams(List<ParamGroup> groups) {
        Map<String, Parameter> all = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            for (Map.Entry<String, Parameter> e : g.params().entrySet()) {
                if (all.containsKey(e.getKey()) || all.containsValue(e.getValue())) {
                    throw new IllegalArgumentException("parameter '" + e.getKey()
                            + "' appears in more than one group; list each parameter once");
                }
                all.put(e.getKey(), e.getValue());
            }
        }
        return all;
    }
}
