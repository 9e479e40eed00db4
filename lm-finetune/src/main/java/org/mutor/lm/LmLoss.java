package org.mutor.lm;

import org.mutor.common.train.Losses;
import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.mutor.mutor2d.PromptAnswerLayout;
import org.mutor.mutor2d.RegisterBatch;
import org.mutor.mutor2d.RegisterLoss;
import org.mutor.mutor2d.RegisterPlan;
import org.mutor.mutor2d.RegisterPlanner;
import org.mutor.mutor2d.RegisterSampler;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Loss of a padded batch of prompt/answer examples: register plans from the shared planner
 * (registers only in the answer region, the prompt bidirectional for both methods), per-slot
 * cross entropy, and {@code (1 - a) L_ntp + a L_reg}.
 *
 * <p>Dimension letters: B batch, L slots (inputs and registers, padded to the longest row), C
 * hidden size, V vocabulary.
 */
public final class LmLoss {

    /**
     * Loss of one batch.
     *
     * @param loss scalar with gradient
     * @param ntp mean NLL of answer tokens
     * @param register mean NLL of register targets, 0 when none
     * @param ntpCount answer tokens scored
     */
    public record Result(NDArray loss, double ntp, double register, int ntpCount) {
    }

    /** Additive bias of blocked attention pairs. */
    static final float MASKED = -1e9f;

    private LmLoss() {
    }

    /** Layout of an example: prompt bidirectional, answer causal. */
    public static PromptAnswerLayout layout(LmData.Example e) {
        return new PromptAnswerLayout(e.prompt().length, e.target().length, true);
    }

    /** Draws one plan per example with {@code sampler} (the plain plan for the baseline). */
    public static List<RegisterPlan> plans(List<LmData.Example> examples, RegisterSampler sampler,
            RandomGenerator random) {
        List<RegisterPlan> plans = new ArrayList<>(examples.size());
        for (LmData.Example e : examples) {
            plans.add(sampler.plan(layout(e), random));
        }
        return plans;
    }

    /** Plain next-token plans, as evaluation uses. */
    public static List<RegisterPlan> ntpPlans(List<LmData.Example> examples) {
        List<RegisterPlan> plans = new ArrayList<>(examples.size());
        for (LmData.Example e : examples) {
            plans.add(RegisterPlanner.ntp(layout(e)));
        }
        return plans;
    }

    /** Logits {@code [B, L, V]} of a register batch; registers and padding get token id 0 as filler. */
    public static NDArray logits(CausalLm model, NDManager m, RegisterBatch batch, List<int[]> sequences) {
        int b = batch.batchSize();
        int l = batch.length();
        int[] tokens = batch.inputTokens(sequences, 0);
        boolean[] registerMask = batch.registerMask();
        NDArray registers = null;
        boolean any = false;
        float[] flags = new float[b * l];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = registerMask[i] ? 1f : 0f;
            any |= registerMask[i];
        }
        if (any) {
            registers = EngineArrays.create(m, flags, new Shape(b, l, 1));
        }
        NDArray h = model.embed(EngineArrays.create(m, tokens, new Shape(b, l)), registers);        // [B, L, C]
        float[] mask = batch.additiveMask();
        for (int i = 0; i < mask.length; i++) {
            // A finite "minus infinity": exp still underflows to 0, and no inf enters the backward pass.
            mask[i] = Math.max(mask[i], MASKED);
        }
        NDArray bias = EngineArrays.create(m, mask, new Shape(b, 1, l, l));                          // [B, 1, L, L]
        return model.forward(h, batch.positionIds(), bias, null, 0);                    // [B, L, V]
    }

    /** Combined loss of {@code examples} under {@code plans}, one per example. */
    public static Result loss(CausalLm model, NDManager m, List<LmData.Example> examples, List<RegisterPlan> plans,
            double alpha) {
        List<int[]> sequences = new ArrayList<>(examples.size());
        for (LmData.Example e : examples) {
            sequences.add(e.sequence());
        }
        RegisterBatch batch = RegisterBatch.of(plans);
        NDArray logits = logits(model, m, batch, sequences);
        NDArray nll = Losses.tokenNll(m, logits, batch.targets(sequences));                     // [B, L]
        boolean registers = batch.plans().stream().anyMatch(p -> p.registerCount() > 0);
        double a = registers ? alpha : 0;
        NDArray weights = EngineArrays.create(m, RegisterLoss.weights(batch, a), nll.getShape());
        RegisterLoss.Parts parts = RegisterLoss.combine(batch, nll.toFloatArray(), a);
        return new Result(nll.mul(weights).sum(), parts.ntp(), parts.register(), parts.ntpCount());
    }

}
