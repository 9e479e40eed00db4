package org.mutor.common.train;

/**
 * Learning rate as a pure function of the optimizer step (0 for the first update), so a
 * resumed run needs only the step to continue its schedule.
 *
 * <p>Warm-up is linear and reaches the peak at step {@code warmup - 1}:
 * {@code lr(s) = peak * (s + 1) / warmup} for {@code s < warmup}. After warm-up the decay
 * runs over {@code total - warmup} steps with progress
 * {@code t = (s - warmup) / (total - warmup)}, clamped to [0, 1], and stays at the
 * minimum after {@code total}.
 */
@FunctionalInterface
public interface LrSchedule {

    /** Learning rate for optimizer step {@code step} (0-based). */
    double lr(long step);

    /** Returns the same rate at every step. */
    static LrSchedule constant(double lr) {
        checkRate("lr", lr);
        return step -> lr;
    }

    /** Linear warm-up, then half a cosine from {@code peak} down to {@code min}. */
    static LrSchedule warmupCosine(double peak, long warmup, long total, double min) {
        check(peak, warmup, total, min);
        return step -> {
            if (step < warmup) {
                return peak * (step + 1) / warmup;
            }
            double t = progress(step, warmup, total);
            return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * t));
        };
    }

    /** Linear warm-up, then a straight line from {@code peak} down to {@code min} (0 for none). */
    static LrSchedule warmupLinear(double peak, long warmup, long total, double min) {
        check(peak, warmup, total, min);
        return step -> {
            if (step < warmup) {
                return peak * (step + 1) / warmup;
            }
            return peak + (min - peak) * progress(step, warmup, total);
        };
    }

    private static double progress(long step, long warmup, long total) {
        if (total <= warmup) {
            return 1;
        }
        return Math.min(1.0, (double) (step - warmup) / (total - warmup));
    }

    private static void check(double peak, long warmup, long total, double min) {
        checkRate("peak lr", peak);
        checkRate("min lr", min);
        if (warmup < 0 || total < warmup) {
            throw new IllegalArgumentException("invalid schedule lengths warmup=" + warmup + ", total=" + total
                    + "; need 0 <= warmup <= total");
        }
        if (min > peak) {
            throw new IllegalArgumentException("min lr " + min + " exceeds peak lr " + peak + "; lower the minimum");
        }
    }

    private static void checkRate(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("invalid " + what + " " + value + "; use a finite value >= 0");
        }
    }
}
