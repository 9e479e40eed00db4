package org.mutor.generator.train;

/** Observes a training run; every method does nothing by default. */
public interface TrainListener {

    /** A listener that ignores everything. */
    TrainListener NONE = new TrainListener() {
    };

    /**
     * Metrics of one optimizer step.
     *
     * @param step optimizer steps done, 1 after the first
     * @param loss combined loss
     * @param ntpLoss mean NLL of real tokens
     * @param registerLoss mean NLL of register targets, 0 for NTP
     * @param lr learning rate used
     * @param gradNorm global gradient norm before clipping
     * @param tokensPerSecond image tokens of the batch per second of wall time (registers not counted)
     */
    record StepMetrics(long step, double loss, double ntpLoss, double registerLoss, double lr, double gradNorm,
                       double tokensPerSecond) {
    }

    /** Called after every optimizer step. */
    default void onStep(StepMetrics metrics) {
    }

    /** Called after a validation pass with the teacher-forced NLL per image token. */
    default void onValidation(long step, double nll) {
    }
}
