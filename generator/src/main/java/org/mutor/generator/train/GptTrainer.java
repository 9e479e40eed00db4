package org.mutor.generator.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;

import com.google.gson.JsonObject;

import org.mutor.common.config.ConfigException;
import org.mutor.common.data.CodeShards;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.format.FormatException;
import org.mutor.common.progress.Progress;
import org.mutor.common.tensor.HostTensor;
import org.mutor.common.train.AdamW;
import org.mutor.common.train.MetricsLog;
import org.mutor.common.train.ParamGroup;
import org.mutor.common.train.ShuffledOrder;
import org.mutor.common.train.Trainer;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptLoader;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.gpt.GptWeights;
import org.mutor.mutor2d.GridLayout;
import org.mutor.mutor2d.PromptAnswerLayout;
import org.mutor.mutor2d.RegisterLayout;
import org.mutor.mutor2d.RegisterSampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the class-conditional GPT on image codes with next-token prediction, MuToR-1D or
 * MuToR-2D, on the CPU.
 *
 * <p>Files under {@code out}: {@code train-state.safetensors} (model, AdamW moments, EMA, step
 * and data position, for an exact resume), {@code model.safetensors} (inference checkpoint with
 * the GPT config in its metadata, register embedding included, loadable by {@link GptLoader}),
 * {@code model-ema.safetensors} when EMA is on, {@code metrics.csv} with {@code loss.png}, and
 * {@code samples/step-NNNNNNN.npy}.
 *
 * <p>Per sample and use, the generator of the micro-batch draws, in this order: class dropout,
 * the view, then the register plan. So a run is a function of its seed, and a resumed run
 * repeats the uninterrupted one.
 */
public final class GptTrainer {

    /** Columns of metrics.csv after the step. */
    public static final List<String> COLUMNS = List.of("ntp_loss", "reg_loss", "loss", "lr", "grad_norm",
            "tokens_per_s", "val_nll");

    /**
     * Checkpoint metadata key: wall seconds spent training up to the saved step, summed over
     * resumed sessions (validation, sampling and checkpoint writes included).
     */
    public static final String TRAIN_SECONDS = "train_seconds";

    /** Stream of the per-sample draws within a micro-batch. */
    private static final long STREAM_SAMPLES = 0x53414DL;

    private final TrainConfig config;
    private final GptModel model;
    private final CodeSplit train;
    private final ShuffledOrder order;
    private final RegisterLayout layout;
    private final RegisterSampler sampler;
    private final GptModel.Dropout dropout;
    private double ntpSum;
    private double registerSum;
    /** Wall seconds of training before this process (from the resumed state), and this process's start. */
    private double priorSeconds;
    private long startNanos;

    private GptTrainer(TrainConfig config, GptModel model, CodeSplit train) {
        this.config = config;
        this.model = model;
        this.train = train;
        this.order = new ShuffledOrder(train.size(), config.seed());
        GptConfig c = config.model();
        int grid = c.gridSize();
        this.layout = switch (config.method()) {
            case NTP -> null;
            case MUTOR_1D -> PromptAnswerLayout.classConditional(c.blockSize());
            case MUTOR_2D -> new GridLayout(grid, grid);
        };
        this.sampler = switch (config.method()) {
            case NTP -> null;
            case MUTOR_1D -> new RegisterSampler(config.registers(), config.dMax(), config.numRegisters());
            case MUTOR_2D -> new RegisterSampler(config.registers(), config.dMax2d(), config.numRegisters());
        };
        this.dropout = (x, p) -> p > 0 ? Dropout.dropout(x, p.floatValue(), true).singletonOrThrow() : x;
    }

    /**
     * Runs (or resumes) training to {@code max_steps}.
     *
     * @param listener observer of steps and validation, or {@link TrainListener#NONE}
     * @param sink receiver of sampled codes, or null to save .npy files only
     * @throws ConfigException when the model does not fit the codes
     * @throws FormatException when a file is corrupt or a resume state belongs to another run
     */
    public static TrainResult run(TrainConfig config, TrainListener listener, SampleSink sink) throws IOException {
        CodeShards shards = CodeShards.open(config.codes());
        checkFit(config, shards);
        CodeSplit train;
        CodeSplit val = null;
        if (config.valCodes() != null) {
            CodeShards valShards = CodeShards.open(config.valCodes());
            checkFit(config, valShards);
            train = CodeSplit.all(shards);
            val = CodeSplit.all(valShards);
        } else if (config.valFraction() > 0) {
            CodeSplit[] parts = CodeSplit.holdOut(shards, config.valFraction(), config.seed());
            train = parts[0];
            val = parts[1];
        } else {
            train = CodeSplit.all(shards);
        }
        boolean withRegister = config.method() != Method.NTP;
        Files.createDirectories(config.out());
        try (GptModel model = GptModel.initialize(config.model(), Device.cpu(), config.seed(), withRegister)) {
            return new GptTrainer(config, model, train).loop(val, listener, sink);
        }
    }

    private static void checkFit(TrainConfig config, CodeShards shards) {
        GptConfig c = config.model();
        if (shards.gridHeight() != c.gridSize() || shards.gridWidth() != c.gridSize()) {
            throw new ConfigException("codes have a " + shards.gridHeight() + "x" + shards.gridWidth()
                    + " grid but block_size " + c.blockSize() + " needs " + c.gridSize() + "x" + c.gridSize()
                    + "; set block_size to " + shards.tokens() + " (square grids only)");
        }
        if (shards.vocabSize() != c.vocabSize() || shards.numClasses() != c.numClasses()) {
            throw new ConfigException("codes have vocab_size " + shards.vocabSize() + " and num_classes "
                    + shards.numClasses() + " but the model has " + c.vocabSize() + " and " + c.numClasses()
                    + "; set them to match the tokenizer");
        }
    }

    private TrainResult loop(CodeSplit val, TrainListener listener, SampleSink sink) throws IOException {
        Path out = config.out();
        Path statePath = out.resolve("train-state.safetensors");
        Path modelPath = out.resolve("model.safetensors");
        Path csv = out.resolve("metrics.csv");
        Map<String, Parameter> params = parameters();
        try (Trainer trainer = new Trainer(groups(params), new Trainer.Config(config.schedule(),
                AdamW.Options.betas(config.beta1(), config.beta2()), config.gradClip(), config.gradAccum(),
                config.ema(), config.seed()), order)) {
            boolean resumed = config.resume() && Files.exists(statePath);
            if (resumed) {
                JsonObject extra = trainer.load(statePath);
                String method = extra.has("method") ? extra.get("method").getAsString() : "?";
                if (!method.equals(config.method().key())) {
                    throw new FormatException(statePath + ": was trained with method " + method + ", not "
                            + config.method().key() + "; resume with the same method or use another out folder");
                }
                priorSeconds = extra.has(TRAIN_SECONDS) ? extra.get(TRAIN_SECONDS).getAsDouble() : 0;
            }
            int tokensPerSample = config.model().blockSize();
            double lastLoss = Double.NaN;
            double lastVal = Double.NaN;
            long startStep = trainer.step();
            startNanos = System.nanoTime();
            Interval interval = new Interval();
            try (MetricsLog metrics = resumed ? MetricsLog.resume(csv, COLUMNS, startStep + 1)
                    : MetricsLog.create(csv, COLUMNS);
                 Progress progress = config.progress() ? Progress.start("train", startStep, config.maxSteps()) : null) {
                while (trainer.step() < config.maxSteps()) {
                    long t0 = System.nanoTime();
                    ntpSum = 0;
                    registerSum = 0;
                    Trainer.StepResult r = trainer.step(context -> microLoss(context));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long done = r.step() + 1;
                    double tokensPerSecond = config.batchSize() * (double) tokensPerSample / seconds;
                    TrainListener.StepMetrics m = new TrainListener.StepMetrics(done, r.loss(),
                            ntpSum / config.gradAccum(), registerSum / config.gradAccum(), r.lr(), r.gradNorm(),
                            tokensPerSecond);
                    lastLoss = r.loss();
                    listener.onStep(m);
                    interval.add(m);
                    boolean last = done == config.maxSteps();
                    double valNll = Double.NaN;
                    if (val != null && config.valEvery() > 0 && (done % config.valEvery() == 0 || last)) {
                        valNll = TrainEval.validationNll(model, val, config.microBatch(), config.valMaxSamples());
                        lastVal = valNll;
                        listener.onValidation(done, valNll);
                    }
                    if (done % config.logEvery() == 0 || last || !Double.isNaN(valNll)) {
                        metrics.log(done, interval.mean(valNll));
                        interval = new Interval();
                    }
                    if (config.sampleEvery() > 0 && (done % config.sampleEvery() == 0 || last)) {
                        TrainEval.samples(model, done, config.sampleCount(), config.seed(), out, sink);
                    }
                    if (done % config.ckptEvery() == 0 || last) {
                        save(trainer, statePath, modelPath, done);
                    }
                    if (progress != null) {
                        progress.setExtraMessage(String.format("loss %.4f, %.0f tok/s", r.loss(), tokensPerSecond));
                        progress.step(1);
                    }
                }
            }
            if (Files.exists(csv) && MetricsLog.read(csv).rows().size() > 0) {
                MetricsLog.plot(csv, out.resolve("loss.png"), "ntp_loss", "reg_loss", "loss", "val_nll");
            }
            long ran = trainer.step() - startStep;
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double meanRate = ran == 0 ? 0 : ran * config.batchSize() * (double) tokensPerSample / seconds;
            return new TrainResult(trainer.step(), lastLoss, lastVal, meanRate, modelPath, statePath, csv);
        }
    }

    /** Loss of one micro-batch: draws per sample, then {@link TrainStep#loss}. */
    private NDArray microLoss(Trainer.StepContext context) {
        SplittableRandom random = context.random(STREAM_SAMPLES);
        int[] picks = order.next(config.microBatch());
        GptConfig c = config.model();
        CodeShards shards = train.shards();
        List<TrainStep.Sample> samples = new ArrayList<>(picks.length);
        for (int pick : picks) {
            int index = train.indices()[pick];
            int label = random.nextDouble() < c.classDropoutProb() ? c.numClasses() : shards.label(index);
            int view = shards.crops() == 1 ? 0 : random.nextInt(shards.crops());
            int[] codes;
            try {
                codes = shards.codes(index, view);
            } catch (FormatException e) {
                throw new java.io.UncheckedIOException(e);
            }
            samples.add(new TrainStep.Sample(label, codes, sampler == null ? null : sampler.plan(layout, random)));
        }
        TrainStep.Result result = TrainStep.loss(model, model.manager(), samples, config.alpha(), dropout);
        ntpSum += result.ntp();
        registerSum += result.register();
        return result.loss();
    }

    /** Wraps the model's arrays as trainable parameters, by LlamaGen key name. */
    private Map<String, Parameter> parameters() {
        return ParamGroup.trainable(model.parameters());
    }

    /** Weight decay on parameters of two or more dimensions only. */
    private List<ParamGroup> groups(Map<String, Parameter> params) {
        return ParamGroup.decayAndNoDecay(params, config.weightDecay());
    }

    private void save(Trainer trainer, Path statePath, Path modelPath, long step) throws IOException {
        double seconds = priorSeconds + (System.nanoTime() - startNanos) / 1e9;
        JsonObject extra = new JsonObject();
        extra.addProperty("method", config.method().key());
        extra.addProperty(TRAIN_SECONDS, seconds);
        trainer.save(statePath, extra);
        JsonObject meta = new JsonObject();
        meta.add(GptLoader.CONFIG_KEY, GptLoader.toJson(config.model()));
        meta.addProperty("method", config.method().key());
        meta.addProperty("step", step);
        meta.addProperty(TRAIN_SECONDS, seconds);
        boolean withRegister = model.hasRegisterEmbedding();
        Checkpoint.save(modelPath, GptWeights.stateDict(model, withRegister), meta);
        if (trainer.ema() != null) {
            Map<String, HostTensor> ema = new LinkedHashMap<>();
            for (String name : model.parameters().keySet()) {
                ema.put(name, HostTensor.fromNDArray(trainer.ema().weights().get(name)));
            }
            meta.addProperty("ema", config.ema());
            Checkpoint.save(modelPath.resolveSibling("model-ema.safetensors"), ema, meta);
        }
    }

    /** Means of the step metrics since the last metrics row. */
    private static final class Interval {
        private final double[] sums = new double[6];
        private int count;

        void add(TrainListener.StepMetrics m) {
            double[] v = {m.ntpLoss(), m.registerLoss(), m.loss(), m.lr(), m.gradNorm(), m.tokensPerSecond()};
            for (int i = 0; i < v.length; i++) {
                sums[i] += v[i];
            }
            count++;
        }

        double[] mean(double valNll) {
            double[] row = new double[7];
            for (int i = 0; i < 6; i++) {
                row[i] = sums[i] / count;
            }
            row[6] = valNll;
            return row;
        }
    }
}
