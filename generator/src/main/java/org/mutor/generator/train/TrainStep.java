package org.mutor.generator.train;

import org.mutor.common.train.Losses;
import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.mutor.generator.gpt.GptModel;
import org.mutor.mutor2d.RegisterBatch;
import org.mutor.mutor2d.RegisterLoss;
import org.mutor.mutor2d.RegisterPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * The loss of one micro-batch: input embeddings from register plans, the GPT forward pass, and
 * per-slot cross entropy combined as {@code (1 - a) L_ntp + a L_reg}.
 *
 * <p>Dimension letters: B batch, N image tokens, L slots (class token, inputs and registers,
 * padded to the longest row), C model width, V vocabulary.
 *
 * <p>The register-free sequence of a sample is {@code x_0 = label, x_1 .. x_N = codes}. Plans
 * hold the slot layout; this class only fills in embeddings and targets. Without plans (the NTP
 * baseline) it takes the plain causal path with {@code L = N} and no mask tensor per sample.
 */
public final class TrainStep {

    /**
     * One sample of a micro-batch.
     *
     * @param label class after class dropout; num_classes is the null class
     * @param codes image codes {@code [N]} of the chosen view
     * @param plan register plan of the layout, or null for the plain NTP path
     */
    public record Sample(int label, int[] codes, RegisterPlan plan) {
    }

    /**
     * Loss of a micro-batch.
     *
     * @param loss scalar {@code (1 - a) ntp + a register} with gradient (for NTP: the mean NLL)
     * @param ntp mean NLL of real tokens
     * @param register mean NLL of register targets, 0 when there is none
     * @param slotLoss per-slot NLL {@code [B, L]}, 0 where there is no target
     * @param slots input slots run through the model, registers and padding included
     */
    public record Result(NDArray loss, double ntp, double register, NDArray slotLoss, long slots) {
    }

    private TrainStep() {
    }

    /**
     * Computes the micro-batch loss; arrays are created in {@code manager}.
     *
     * @param dropout the GPT's dropout hook, or null for a deterministic forward pass
     */
    public static Result loss(GptModel model, NDManager manager, List<Sample> samples, double alpha,
            GptModel.Dropout dropout) {
        boolean plain = samples.stream().allMatch(s -> s.plan() == null);
        if (plain) {
            return plainLoss(model, manager, samples, dropout);
        }
        if (samples.stream().anyMatch(s -> s.plan() == null)) {
            throw new IllegalArgumentException("a micro-batch mixes samples with and without register plans");
        }
        List<RegisterPlan> plans = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        for (Sample s : samples) {
            plans.add(s.plan());
            sequences.add(sequence(s));
        }
        RegisterBatch batch = RegisterBatch.of(plans);
        NDArray logits = registerLogits(model, manager, batch, sequences, dropout); // [B, L, V]
        long[] targets = batch.targets(sequences);
        NDArray nll = Losses.tokenNll(manager, logits, targets);                            // [B, L]
        NDArray weights = EngineArrays.create(manager, RegisterLoss.weights(batch, alpha), nll.getShape());
        NDArray loss = nll.mul(weights).sum();
        RegisterLoss.Parts parts = RegisterLoss.combine(batch, nll.toFloatArray(), alpha);
        return new Result(loss, parts.ntp(), parts.register(), nll, (long) batch.batchSize() * batch.length());
    }

    /** NTP with no registers: slot 0 is the class token, slots 1..N-1 the codes x_1..x_{N-1}. */
    private static Result plainLoss(GptModel model, NDManager manager, List<Sample> samples, GptModel.Dropout dropout) {
        int b = samples.size();
        int n = samples.get(0).codes().length;
        long[] labels = new long[b];
        long[] inputs = new long[b * (n - 1)];
        long[] targets = new long[b * n];
        for (int i = 0; i < b; i++) {
            Sample s = samples.get(i);
            labels[i] = s.label();
            for (int t = 0; t < n; t++) {
                targets[i * n + t] = s.codes()[t];
                if (t < n - 1) {
                    inputs[i * (n - 1) + t] = s.codes()[t];
                }
            }
        }
        int dim = model.config().dim();
        NDArray h = model.classEmbedding(EngineArrays.create(manager, labels)).reshape(b, 1, dim);          // [B, 1, C]
        if (n > 1) {
            h = h.concat(model.tokenEmbedding(EngineArrays.create(manager, inputs, new Shape(b, n - 1))), 1); // [B, N, C]
        }
        NDArray rotary = model.rotary(manager.arange(0, n, 1, DataType.INT64));
        NDArray logits = model.forward(h, rotary, GptModel.causalBias(manager, n, 0, n), dropout); // [B, N, V]
        NDArray nll = Losses.tokenNll(manager, logits, targets);                                          // [B, N]
        NDArray loss = nll.mean();
        return new Result(loss, loss.getFloat(), 0, nll, (long) b * n);
    }

    /** Logits {@code [B, L, V]} of a register batch: class, token and register embeddings per slot. */
    static NDArray registerLogits(GptModel model, NDManager manager, RegisterBatch batch, List<int[]> sequences,
            GptModel.Dropout dropout) {
        int b = batch.batchSize();
        int l = batch.length();
        int[] real = batch.realIndices();
        boolean[] register = batch.registerMask();
        long[] tokens = new long[b * l];
        float[] isClass = new float[b * l];
        float[] isRegister = new float[b * l];
        float[] isToken = new float[b * l];
        long[] labels = new long[b];
        for (int i = 0; i < b; i++) {
            labels[i] = sequences.get(i)[0];
            for (int k = 0; k < l; k++) {
                int slot = i * l + k;
                int index = real[slot];
                if (index > 0) {
                    tokens[slot] = sequences.get(i)[index];
                    isToken[slot] = 1;
                } else if (index == 0) {
                    isClass[slot] = 1;
                } else if (register[slot]) {
                    isRegister[slot] = 1;
                } else {
                    isToken[slot] = 1; // padding: token 0, attends only to itself, no target
                }
            }
        }
        int dim = model.config().dim();
        Shape slots = new Shape(b, l, 1);
        NDArray tok = model.tokenEmbedding(EngineArrays.create(manager, tokens, new Shape(b, l)));        // [B, L, C]
        NDArray cls = model.classEmbedding(EngineArrays.create(manager, labels)).reshape(b, 1, dim);      // [B, 1, C]
        NDArray reg = model.parameters().get(GptModel.REGISTER_EMBEDDING).reshape(1, 1, dim); // [1, 1, C]
        NDArray h = tok.mul(EngineArrays.create(manager, isToken, slots))
                .add(cls.mul(EngineArrays.create(manager, isClass, slots)))
                .add(reg.mul(EngineArrays.create(manager, isRegister, slots)));                            // [B, L, C]
        NDArray positions = EngineArrays.create(manager, toLongs(batch.positionIds()), new Shape(b, l));
        NDArray bias = EngineArrays.create(manager, batch.additiveMask(), new Shape(b, 1, l, l));         // [B, 1, L, L]
        return model.forward(h, model.rotary(positions), bias, dropout);
    }


    /** Returns the register-free sequence {@code [label, codes...]}. */
    static int[] sequence(Sample s) {
        int[] seq = new int[s.codes().length + 1];
        seq[0] = s.label();
        System.arraycopy(s.codes(), 0, seq, 1, s.codes().length);
        return seq;
    }

    private static long[] toLongs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
