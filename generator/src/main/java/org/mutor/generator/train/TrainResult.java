package org.mutor.generator.train;

import java.nio.file.Path;

/**
 * Outcome of {@link GptTrainer#run}.
 *
 * @param steps optimizer steps done in total (resumed steps included)
 * @param lastLoss combined loss of the last step, NaN when no step ran
 * @param lastValNll last validation NLL per token, NaN when none ran
 * @param tokensPerSecond mean image tokens per second over the steps of this call
 * @param model inference checkpoint (model.safetensors)
 * @param state training state for resume (train-state.safetensors)
 * @param metrics metrics CSV
 */
public record TrainResult(long steps, double lastLoss, double lastValNll, double tokensPerSecond, Path model,
                          Path state, Path metrics) {
}
