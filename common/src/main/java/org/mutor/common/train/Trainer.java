package org.mutor.common.train;

import org.mutor.common.tensor.EngineArrays;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;

import com.google.gson.JsonObject;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Ties together what every trainer repeats: gradient accumulation, global-norm clipping,
 * the learning-rate schedule, AdamW, EMA, checkpoints and exact resume. A trainer
 * supplies its parameter groups, a loss per micro-batch and, optionally, its data order.
 *
 * <p>One {@link #step} runs {@code accumSteps} micro-batches, each under its own
 * {@link NDScope} and gradient collector, with the loss divided by {@code accumSteps}
 * before backward; then it clips, updates, zeroes the gradients and updates the EMA.
 * Before each micro-batch the engine's generator is reseeded from (seed, step, micro),
 * so engine-side randomness such as dropout repeats exactly after a resume on the CPU;
 * Java-side randomness comes from {@link StepContext#random}. A step whose gradient norm
 * is not finite updates neither the weights nor the EMA (the step count still advances).
 */
public final class Trainer implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Trainer.class);

    /**
     * Settings of a run.
     *
     * @param schedule learning rate per optimizer step
     * @param adam AdamW hyper-parameters
     * @param maxGradNorm global-norm clipping threshold; 0 turns clipping off
     * @param accumSteps micro-batches per optimizer step
     * @param emaDecay EMA decay; 0 keeps no EMA
     * @param seed run seed from which all per-step randomness derives
     */
    public record Config(LrSchedule schedule, AdamW.Options adam, double maxGradNorm, int accumSteps,
                         double emaDecay, long seed) {

        public Config {
            if (accumSteps < 1) {
                throw new IllegalArgumentException("invalid accumulation steps " + accumSteps + "; use 1 or more");
            }
            if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
                throw new IllegalArgumentException("invalid max grad norm " + maxGradNorm
                        + "; use a finite value > 0, or 0 for no clipping");
            }
        }
    }

    /** Position of a micro-batch: its optimizer step, its index within the step, and the run seed. */
    public record StepContext(long step, int micro, long seed) {

        /** A generator for this micro-batch and {@code stream}, the same on every run and resume. */
        public SplittableRandom random(long stream) {
            return StepRandom.forStep(seed, step, stream * 65_537 + micro);
        }
    }

    /** Computes the scalar loss of one micro-batch; arrays it creates are closed after backward. */
    @FunctionalInterface
    public interface MicroBatchLoss {
        NDArray loss(StepContext context);
    }

    /**
     * Outcome of one optimizer step.
     *
     * @param step index of the step just taken (0-based)
     * @param loss mean micro-batch loss
     * @param gradNorm global gradient norm before clipping
     * @param lr base learning rate used
     */
    public record StepResult(long step, double loss, double gradNorm, double lr) {
    }

    private final Config config;
    private final Map<String, Parameter> params;
    private final AdamW optimizer;
    private final Ema ema;
    private final ShuffledOrder order;
    private long step;

    /**
     * @param order the data order whose position is saved with the checkpoint, or null
     */
    public Trainer(List<ParamGroup> groups, Config config, ShuffledOrder order) {
        this.config = config;
        this.params = ParamGroup.allParams(groups);
        this.optimizer = new AdamW(groups, config.adam());
        this.ema = config.emaDecay() > 0 ? new Ema(params, config.emaDecay()) : null;
        this.order = order;
    }

    /** Index of the next optimizer step (0 before training, N after N steps). */
    public long step() {
        return step;
    }

    public Config config() {
        return config;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Returns the parameter average, or null when the decay is 0. */
    public Ema ema() {
        return ema;
    }

    /** Returns all trained parameters by name. */
    public Map<String, Parameter> params() {
        return params;
    }

    /** Runs one optimizer step over {@code accumSteps} micro-batches. */
    public StepResult step(MicroBatchLoss lossFunction) {
        Gradients.zeroGrad(params.values());
        int k = config.accumSteps();
        double lossSum = 0;
        Engine engine = params.values().iterator().next().getArray().getManager().getEngine();
        for (int micro = 0; micro < k; micro++) {
            engine.setRandomSeed(StepRandom.engineSeed(config.seed(), step, micro));
            try (NDScope scope = new NDScope(); GradientCollector collector = engine.newGradientCollector()) {
                NDArray loss = lossFunction.loss(new StepContext(step, micro, config.seed()));
                if (loss.getShape().size() != 1) {
                    throw new IllegalArgumentException("loss has shape " + loss.getShape()
                            + "; the loss function must return a scalar");
                }
                lossSum += loss.getFloat();
                collector.backward(k == 1 ? loss : loss.div(EngineArrays.scalar(loss, k)));
            }
        }
        double norm = config.maxGradNorm() > 0
                ? Gradients.clipGradNorm(params.values(), config.maxGradNorm())
                : Gradients.globalNorm(params.values());
        double lr = config.schedule().lr(step);
        // An overflowed gradient (norm inf or NaN) would turn every weight into NaN, so the
        // step is skipped, as torch's GradScaler does; the result reports the norm.
        boolean finite = Double.isFinite(norm);
        if (finite) {
            optimizer.step(lr);
        } else {
            LOG.warn("step {}: gradient norm {} is not finite; the update was skipped", step, norm);
        }
        Gradients.zeroGrad(params.values());
        if (ema != null && finite) {
            ema.update();
        }
        return new StepResult(step++, lossSum / k, norm, lr);
    }

    /**
     * Saves everything needed for an exact resume: parameters, moments, step counts, EMA,
     * data position and seed, plus the caller's {@code extra} JSON (may be null).
     */
    public void save(Path file, JsonObject extra) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>(TrainCheckpoint.modelTensors(params));
        tensors.putAll(optimizer.stateTensors());
        if (ema != null) {
            tensors.putAll(ema.stateTensors());
        }
        JsonObject state = new JsonObject();
        state.addProperty("step", step);
        state.addProperty("optimizer_steps", optimizer.stepCount());
        state.addProperty("seed", config.seed());
        state.addProperty("ema_decay", config.emaDecay());
        if (order != null) {
            state.addProperty("data_consumed", order.consumed());
            state.addProperty("data_size", order.size());
        }
        state.add("extra", extra == null ? new JsonObject() : extra);
        TrainCheckpoint.write(file, tensors, state);
    }

    /**
     * Restores a state saved by {@link #save} into this trainer's objects.
     *
     * @return the caller's extra JSON
     * @throws FormatException when the file belongs to another model, seed or data set
     */
    public JsonObject load(Path file) throws IOException {
        TrainCheckpoint.Contents contents = TrainCheckpoint.read(file);
        JsonObject state = contents.state();
        try {
            long savedSeed = state.get("seed").getAsLong();
            if (savedSeed != config.seed()) {
                throw new FormatException(file + ": checkpoint was trained with seed " + savedSeed
                        + " but this run uses " + config.seed() + "; resume with the same seed");
            }
            if (order != null) {
                if (!state.has("data_consumed") || state.get("data_size").getAsInt() != order.size()) {
                    throw new FormatException(file + ": checkpoint has no data position for a data set of "
                            + order.size() + " examples; resume on the same data");
                }
            }
            TrainCheckpoint.loadModel(params, contents.tensors());
            optimizer.loadState(state.get("optimizer_steps").getAsLong(), contents.tensors());
            if (ema != null) {
                ema.loadState(contents.tensors());
            }
            if (order != null) {
                order.seek(state.get("data_consumed").getAsLong());
            }
            step = state.get("step").getAsLong();
            return state.has("extra") ? state.getAsJsonObject("extra") : new JsonObject();
        } catch (NullPointerException | ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new FormatException(file + ": training state JSON lacks or mangles a field ("
                    + e.getMessage() + "); the file is corrupt or from another version", e);
        }
    }

    /** Frees optimizer moments and EMA weights (not the model). */
    @Override
    public void close() {
        optimizer.close();
        if (ema != null) {
            ema.close();
        }
    }
}
