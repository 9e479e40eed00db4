package org.mutor.mutor2d;

import java.util.Objects;

/**
 * MuToR loss combination {@code L = (1 - a) L_ntp + a L_reg}, where {@code L_ntp} is the mean
 * per-slot loss over real slots with a target and {@code L_reg} the mean over register slots with
 * a target; over a batch, both means run over all such slots of all rows. {@code L_reg} is 0 when
 * there is none, and so is {@code L_ntp}. Slots without a target are skipped, whatever their
 * value.
 *
 * <p>The tensor side computes the same total as {@code sum(weights * ce)} with {@link #weights};
 * its per-slot cross entropy must be 0 (not NaN) at ignored slots, as it is with an ignore index.
 */
public final class RegisterLoss {

    /**
     * Parts of a combined loss.
     *
     * @param total {@code (1 - a) ntp + a register}
     * @param ntp mean loss of real slots with a target, 0 if none
     * @param register mean loss of register slots with a target, 0 if none
     * @param ntpCount real slots with a target
     * @param registerCount register slots with a target
     */
    public record Parts(double total, double ntp, double register, int ntpCount, int registerCount) {}

    private RegisterLoss() {}

    /** Combines per-slot losses {@code [length()]} of one plan. */
    public static Parts combine(RegisterPlan plan, double[] slotLoss, double alpha) {
        return combine(RegisterBatch.of(java.util.List.of(plan)), slotLoss, alpha);
    }

    /** Combines per-slot losses {@code [length()]} of one plan. */
    public static Parts combine(RegisterPlan plan, float[] slotLoss, double alpha) {
        return combine(plan, widen(slotLoss), alpha);
    }

    /** Combines flat per-slot losses {@code [B, L]} of a batch. */
    public static Parts combine(RegisterBatch batch, float[] slotLoss, double alpha) {
        return combine(batch, widen(slotLoss), alpha);
    }

    /**
     * Combines flat per-slot losses {@code [B, L]} of a batch.
     *
     * @throws IllegalArgumentException if {@code alpha} is outside [0, 1] or the array has the wrong size
     */
    public static Parts combine(RegisterBatch batch, double[] slotLoss, double alpha) {
        checkAlpha(alpha);
        int l = batch.length();
        if (slotLoss.length != batch.batchSize() * l) {
            throw new IllegalArgumentException("got " + slotLoss.length + " slot losses for a batch of "
                    + batch.batchSize() + " x " + l + "; pass one per padded slot");
        }
        double ntpSum = 0;
        double registerSum = 0;
        int ntpCount = 0;
        int registerCount = 0;
        for (int b = 0; b < batch.batchSize(); b++) {
            RegisterPlan plan = batch.plans().get(b);
            for (int k = 0; k < plan.length(); k++) {
                if (plan.targetIndex(k) < 0) {
                    continue;
                }
                if (plan.isRegister(k)) {
                    registerSum += slotLoss[b * l + k];
                    registerCount++;
                } else {
                    ntpSum += slotLoss[b * l + k];
                    ntpCount++;
                }
            }
        }
        double ntp = ntpCount == 0 ? 0 : ntpSum / ntpCount;
        double register = registerCount == 0 ? 0 : registerSum / registerCount;
        return new Parts((1 - alpha) * ntp + alpha * register, ntp, register, ntpCount, registerCount);
    }

    /** Returns per-slot weights {@code [length()]} of one plan; see {@link #weights(RegisterBatch, double)}. */
    public static float[] weights(RegisterPlan plan, double alpha) {
        return weights(RegisterBatch.of(java.util.List.of(plan)), alpha);
    }

    /**
     * Returns flat per-slot weights {@code [B, L]} such that {@code sum(weights * loss)} equals
     * {@link Parts#total} up to float rounding: {@code (1 - a) / ntpCount} at real slots with a
     * target, {@code a / registerCount} at register slots with a target, 0 elsewhere.
     */
    public static float[] weights(RegisterBatch batch, double alpha) {
        checkAlpha(alpha);
        int l = batch.length();
        int ntpCount = 0;
        int registerCount = 0;
        for (RegisterPlan plan : batch.plans()) {
            for (int k = 0; k < plan.length(); k++) {
                if (plan.targetIndex(k) >= 0) {
                    if (plan.isRegister(k)) {
                        registerCount++;
                    } else {
                        ntpCount++;
                    }
                }
            }
        }
        float ntpWeight = ntpCount == 0 ? 0f : (float) ((1 - alpha) / ntpCount);
        float registerWeight = registerCount == 0 ? 0f : (float) (alpha / registerCount);
        float[] weights = new float[batch.batchSize() * l];
        for (int b = 0; b < batch.batchSize(); b++) {
            RegisterPlan plan = batch.plans().get(b);
            for (int k = 0; k < plan.length(); k++) {
                if (plan.targetIndex(k) >= 0) {
                    weights[b * l + k] = plan.isRegister(k) ? registerWeight : ntpWeight;
                }
            }
        }
        return weights;
    }

    private static void checkAlpha(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("register loss weight a=" + alpha + " must be in [0, 1]");
        }
    }

    private static double[] widen(float[] values) {
        Objects.requireNonNull(values, "slotLoss");
        double[] wide = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            wide[i] = values[i];
        }
        return wide;
    }
}
