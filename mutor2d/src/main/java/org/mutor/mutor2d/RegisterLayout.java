package org.mutor.mutor2d;

import java.util.random.RandomGenerator;

/**
 * Shape of one register-free training sequence {@code x_0 .. x_{L-1}}: a prefix of {@code P}
 * tokens (the prompt, or the class token) followed by the {@code A} tokens the model learns to
 * predict (the answer with its EOS, or the image tokens). Token {@code x_i} has position id
 * {@code i}. The next-token forward takes {@code x_0 .. x_{L-2}} as input, and input token
 * {@code x_i} predicts {@code x_{i+1}}.
 *
 * <p>A layout decides where registers may go for an offset: {@link #registerSites} lists the real
 * tokens {@code t} after which a register is valid, and {@link #shift} gives the flat distance
 * {@code D} so that such a register predicts {@code x_{t+D}} with position id {@code t + D - 1}.
 */
public sealed interface RegisterLayout permits PromptAnswerLayout, GridLayout {

    /** Number {@code P} of prefix tokens, at least 1. */
    int prefixLength();

    /** Register-free length {@code L = P + A}, the last token included. */
    int sequenceLength();

    /** Number of real tokens fed to the model, {@code L - 1}, since the last token is only a target. */
    default int inputLength() {
        return sequenceLength() - 1;
    }

    /** Whether prefix tokens attend to each other in both directions (never to later tokens). */
    boolean bidirectionalPrompt();

    /**
     * Returns the flat shift {@code D}, so that the register after {@code x_t} predicts
     * {@code x_{t+D}}.
     *
     * @throws IllegalArgumentException if the offset kind does not fit this layout
     */
    int shift(RegisterOffset offset);

    /**
     * Lists, in ascending order, the real tokens {@code t} after which a register with this
     * offset has a valid target. These are the places full mode fills and sparse mode draws from.
     *
     * @throws IllegalArgumentException if the offset kind does not fit this layout
     */
    int[] registerSites(RegisterOffset offset);

    /** Draws an offset of this layout's kind uniformly, each part in {@code 1..maxOffset}. */
    RegisterOffset sampleOffset(int maxOffset, RandomGenerator random);

    /** Returns a short human-readable name for token {@code x_index}, for tables. */
    String tokenName(int index);
}
