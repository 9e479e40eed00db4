package org.mutor.mutor2d;

import java.util.random.RandomGenerator;

/**
 * 1D layout: {@code P} prompt tokens {@code x_0 .. x_{P-1}} then {@code A} answer tokens {@code
 * x_P .. x_{P+A-1}} (EOS included). Registers go only before answer tokens: the register after
 * {@code x_t} with offset {@code d} predicts {@code x_{t+d}}, and it is valid for {@code t >=
 * P - 1} and {@code t + d <= P + A - 1}. So offset {@code d} yields {@code max(0, A - d + 1)}
 * sites. The register after the last prompt token {@code x_{P-1}} counts as an answer-region
 * register, since it sits before the first answer token. For images, MuToR-1D uses {@link
 * #classConditional} where the class token is the prompt.
 *
 * <p>Worked example: {@code P = 2, A = 3, d = 2}, tokens {@code x0 x1 | x2 x3 x4}, inputs {@code
 * x0 .. x3}. Sites are {@code t = 1, 2}, so the slots are {@code x0 x1 R x2 R x3}. The first
 * register predicts {@code x3} at position id 2, the second {@code x4} at position id 3, and
 * {@code x0}'s own target {@code x1} is ignored because it lies in the prompt.
 *
 * @param promptLength number {@code P} of prompt tokens, at least 1
 * @param answerLength number {@code A} of answer tokens, at least 1
 * @param bidirectionalPrompt whether prompt tokens see each other in both directions
 */
public record PromptAnswerLayout(int promptLength, int answerLength, boolean bidirectionalPrompt)
        implements RegisterLayout {

    /** Validates the lengths. */
    public PromptAnswerLayout {
        if (promptLength < 1) {
            throw new IllegalArgumentException("prompt length " + promptLength
                    + " must be at least 1; the last prompt token predicts the first answer token");
        }
        if (answerLength < 1) {
            throw new IllegalArgumentException(
                    "answer length " + answerLength + " must be at least 1 (the EOS counts)");
        }
    }

    /** Returns the MuToR-1D image layout: the class token as prompt and {@code imageTokens} as answer. */
    public static PromptAnswerLayout classConditional(int imageTokens) {
        return new PromptAnswerLayout(1, imageTokens, false);
    }

    @Override
    public int prefixLength() {
        return promptLength;
    }

    @Override
    public int sequenceLength() {
        return promptLength + answerLength;
    }

    @Override
    public int shift(RegisterOffset offset) {
        if (offset instanceof LinearOffset linear) {
            return linear.d();
        }
        throw new IllegalArgumentException("offset " + offset.label()
                + " is 2D but the prompt/answer layout needs a 1D offset d");
    }

    @Override
    public int[] registerSites(RegisterOffset offset) {
        int d = shift(offset);
        int first = promptLength - 1;
        int last = sequenceLength() - 1 - d;
        int count = Math.max(0, last - first + 1);
        int[] sites = new int[count];
        for (int k = 0; k < count; k++) {
            sites[k] = first + k;
        }
        return sites;
    }

    @Override
    public RegisterOffset sampleOffset(int maxOffset, RandomGenerator random) {
        return LinearOffset.sample(maxOffset, random);
    }

    @Override
    public String tokenName(int index) {
        return index < promptLength ? "p" + index : "a" + (index - promptLength);
    }
}
