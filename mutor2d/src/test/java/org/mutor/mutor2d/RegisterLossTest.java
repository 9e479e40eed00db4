package org.mutor.mutor2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RegisterLossTest {

    private static final PromptAnswerLayout LAYOUT = new PromptAnswerLayout(1, 2, false);
    /** Slots x0 R x1 R: real slots 0 and 2, registers 1 and 3, all with targets. */
    private static final RegisterPlan FULL = RegisterPlanner.full(LAYOUT, new LinearOffset(1));

    @Test
    void combinesMeansOfOnePlan() {
        // NTP mean (1 + 3) / 2 = 2, register mean (2 + 4) / 2 = 3, 0.7 * 2 + 0.3 * 3 = 2.3.
        RegisterLoss.Parts parts = RegisterLoss.combine(FULL, new double[] {1, 2, 3, 4}, 0.3);
        assertEquals(2.0, parts.ntp());
        assertEquals(3.0, parts.register());
        assertEquals(2.3, parts.total(), 1e-12);
        assertEquals(2, parts.ntpCount());
        assertEquals(2, parts.registerCount());
        assertEquals(2.3, RegisterLoss.combine(FULL, new float[] {1, 2, 3, 4}, 0.3).total(), 1e-12);
    }

    @Test
    void batchMeansSkipPadding() {
        RegisterBatch batch = RegisterBatch.of(List.of(RegisterPlanner.ntp(LAYOUT), FULL));
        // Row 0 has real slots 5, 6 and two padding slots holding NaN, which must be skipped.
        double[] losses = {5, 6, Double.NaN, Double.NaN, 1, 2, 3, 4};
        RegisterLoss.Parts parts = RegisterLoss.combine(batch, losses, 0.5);
        assertEquals((5 + 6 + 1 + 3) / 4.0, parts.ntp());
        assertEquals(3.0, parts.register());
        assertEquals(0.5 * 3.75 + 0.5 * 3.0, parts.total(), 1e-12);
    }

    @Test
    void alphaZeroGivesExactlyTheNextTokenMean() {
        SplittableRandom random = new SplittableRandom(9L);
        RegisterPlan plan = RegisterPlanner.full(new GridLayout(5, 5), new GridOffset(2, 3));
        RegisterPlan ntp = RegisterPlanner.ntp(new GridLayout(5, 5));
        double[] losses = random.doubles(plan.length(), 0, 10).toArray();
        double[] realOnly = new double[ntp.length()];
        double sum = 0;
        for (int k = 0; k < plan.length(); k++) {
            if (!plan.isRegister(k)) {
                realOnly[plan.realIndex(k)] = losses[k];
                sum += losses[k];
            }
        }
        double mean = sum / ntp.length();
        assertEquals(mean, RegisterLoss.combine(plan, losses, 0.0).total(), 0.0);
        assertEquals(mean, RegisterLoss.combine(ntp, realOnly, 0.0).total(), 0.0);
    }

    @Test
    void noRegisterTargetGivesZeroNotNaN() {
        RegisterPlan noRegisters = RegisterPlanner.full(new GridLayout(2, 2), new GridOffset(3, 1));
        assertEquals(0, noRegisters.registerCount());
        RegisterLoss.Parts parts = RegisterLoss.combine(noRegisters, new double[] {1, 2, 3, 4}, 0.5);
        assertEquals(0.0, parts.register());
        assertEquals(0, parts.registerCount());
        assertEquals(1.25, parts.total());
        assertFalse(Double.isNaN(parts.total()));
        float[] weights = RegisterLoss.weights(noRegisters, 0.5);
        for (float weight : weights) {
            assertEquals(0.125f, weight);
        }
    }

    @Test
    void weightsReproduceTheCombinedLoss() {
        SplittableRandom random = new SplittableRandom(10L);
        RegisterSampler sampler = new RegisterSampler(RegisterMode.SPARSE, 4, 6);
        for (int trial = 0; trial < 50; trial++) {
            PromptAnswerLayout text = new PromptAnswerLayout(1 + random.nextInt(4), 1 + random.nextInt(9), true);
            RegisterBatch batch = RegisterBatch.of(List.of(sampler.plan(text, random),
                    sampler.plan(new PromptAnswerLayout(2, 6, true), random)));
            double alpha = random.nextDouble();
            // Cross entropy with an ignore index is 0 at ignored and padding slots.
            double[] losses = new double[batch.batchSize() * batch.length()];
            float[] weights = RegisterLoss.weights(batch, alpha);
            for (int b = 0; b < batch.batchSize(); b++) {
                RegisterPlan plan = batch.plans().get(b);
                for (int k = 0; k < plan.length(); k++) {
                    losses[b * batch.length() + k] = plan.targetIndex(k) < 0 ? 0 : random.nextDouble(5);
                }
            }
            double weighted = 0;
            for (int i = 0; i < losses.length; i++) {
                weighted += weights[i] * losses[i];
            }
            assertEquals(RegisterLoss.combine(batch, losses, alpha).total(), weighted, 1e-5, "trial " + trial);
        }
    }
}
