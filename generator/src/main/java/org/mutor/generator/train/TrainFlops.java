package org.mutor.generator.train;

import org.mutor.generator.gpt.GptConfig;
import org.mutor.mutor2d.RegisterMode;

/**
 * Training FLOPs per step of a run, by the usual dense-transformer estimate. A forward pass
 * costs 2 FLOPs per weight per position, plus 4 * dim per pair of positions in attention for
 * the scores and the weighted sum (the causal half is not subtracted). Backward costs twice
 * the forward.
 *
 * <p>Registers lengthen the sequence: sparse mode adds {@code num_registers} positions, full
 * mode at most one per real token. This is what makes MuToR steps dearer than NTP steps, and
 * it sets the step count of an NTP run given the same compute.
 */
public final class TrainFlops {

    private TrainFlops() {
    }

    /** Positions in one training sequence: the class token, the image tokens but the last, registers. */
    public static int positions(TrainConfig config) {
        int real = config.model().blockSize();
        if (config.method() == Method.NTP) {
            return real;
        }
        return real + (config.registers() == RegisterMode.SPARSE ? config.numRegisters() : real);
    }

    /** FLOPs of one optimizer step: forward and backward over every sequence of the batch. */
    public static double perStep(TrainConfig config) {
        GptConfig c = config.model();
        double s = positions(config);
        double headDim = c.headDim();
        // Weights used once per position: q, k, v, o, the SwiGLU FFN, and the output head.
        double attention = c.dim() * headDim * (2.0 * c.nHead() + 2.0 * c.nKvHead());
        double ffn = 3.0 * c.dim() * c.ffnHidden();
        double perPosition = c.nLayer() * (attention + ffn) + (double) c.dim() * c.vocabSize();
        double forward = 2 * perPosition * s + 4.0 * c.nLayer() * c.dim() * s * s;
        return 3 * forward * config.batchSize();
    }

    /** Steps of {@code baseline} that cost as much as {@code steps} steps of {@code other}, rounded. */
    public static long equalComputeSteps(TrainConfig baseline, TrainConfig other, long steps) {
        return Math.round(steps * perStep(other) / perStep(baseline));
    }
}
