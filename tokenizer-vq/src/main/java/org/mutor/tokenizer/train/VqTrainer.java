package org.mutor.tokenizer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;

import com.google.gson.JsonObject;

import org.mutor.common.tensor.EngineArrays;
import org.mutor.common.format.FormatException;
import org.mutor.common.image.ImageBatches;
import org.mutor.common.image.ImageGrid;
import org.mutor.common.image.RgbImage;
import org.mutor.common.progress.Progress;
import org.mutor.common.train.AdamW;
import org.mutor.common.train.LrSchedule;
import org.mutor.common.train.MetricsLog;
import org.mutor.common.train.ParamGroup;
import org.mutor.common.train.ShuffledOrder;
import org.mutor.common.train.TrainCheckpoint;
import org.mutor.common.train.Trainer;
import org.mutor.tokenizer.loss.Lpips;
import org.mutor.tokenizer.loss.PatchDiscriminator;
import org.mutor.tokenizer.VqCheckpoint;
import org.mutor.tokenizer.VqMetrics;
import org.mutor.tokenizer.VqModel;
import org.mutor.tokenizer.VqWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains the VQ tokenizer from scratch on the losses of LlamaGen's tokenizer training:
 * reconstruction (L2 or L1), codebook and commitment losses with the straight-through
 * estimator (see {@link VqModel#forwardTrain}), optionally the LPIPS-VGG perceptual loss
 * ({@link Lpips}) and, from step {@code disc_start}, the PatchGAN hinge loss
 * ({@link PatchDiscriminator}, updated by its own AdamW after each generator step);
 * Adam(W) with constant learning rate and clipping.
 *
 * <p>Files under {@code out}: {@code train-state.safetensors} (weights, moments, EMA,
 * step and data position, for an exact resume), {@code disc-state.safetensors} (the
 * discriminator's weights, running statistics and moments), {@code vq.safetensors} (the inference
 * checkpoint, see {@link VqCheckpoint}), {@code vq-ema.safetensors} when EMA is on,
 * {@code metrics.csv} with {@code loss.png}, {@code eval.png} and, with the perceptual or
 * adversarial loss, {@code gan.png}, and
 * {@code grids/step-NNNNNNN.png}: held-out originals above their reconstructions.
 */
public final class VqTrainer {

    /** Columns of metrics.csv after the step. */
    public static final List<String> COLUMNS = List.of("loss", "recon_loss", "codebook_loss", "commit_loss", "lr",
            "grad_norm", "images_per_s", "val_psnr", "val_usage", "perceptual_loss", "gen_adv_loss", "disc_loss");

    /** Images per row of a reconstruction grid. */
    public static final int GRID_COLUMNS = 8;

    private static final long STREAM_AUGMENT = 0x415547L;
    private static final long STREAM_RESTART = 0x525354L;
    private static final long STREAM_DISC = 0x445343L;
    /** Channels of the discriminator's first conv, as in LlamaGen. */
    private static final int DISC_WIDTH = 64;
    /** Steps with a non-finite gradient tolerated in one invocation before the run stops. */
    private static final int MAX_SKIPPED_STEPS = 20;
    private static final int EVAL_BATCH = 100;

    /**
     * Outcome of a run.
     *
     * @param steps optimizer steps done in total
     * @param loss combined loss of the last step
     * @param psnr held-out PSNR in dB at the last evaluation, NaN when none ran
     * @param usage held-out codebook usage at the last evaluation, NaN when none ran
     * @param seconds wall time of this invocation
     * @param checkpoint the inference checkpoint
     */
    public record Result(long steps, double loss, double psnr, double usage, double seconds, Path checkpoint) {
    }

    private final VqTrainConfig config;
    private final VqModel model;
    private final TrainImages train;
    private final ShuffledOrder order;
    /** Per step: recon, codebook, commit, perceptual, generator adversarial. */
    private final double[] sums = new double[5];
    private final Lpips lpips;
    private final PatchDiscriminator disc;
    /** Detached inputs and reconstructions of the last batch, for the discriminator step. */
    private NDArray lastReal;
    private NDArray lastFake;
    private long skippedInBatches;
    private long skippedSteps;
    private final java.util.BitSet windowUsed = new java.util.BitSet();
    private List<RgbImage> lastBatch = List.of();

    private VqTrainer(VqTrainConfig config, VqModel model, TrainImages train, Lpips lpips, PatchDiscriminator disc) {
        this.config = config;
        this.lpips = lpips;
        this.disc = disc;
        this.model = model;
        this.train = train;
        this.order = new ShuffledOrder(train.size(), config.seed());
    }

    /**
     * Runs (or resumes) training to {@code max_steps}.
     *
     * @param log receiver of one-line messages (start summary, evaluations, checkpoints)
     * @throws FormatException when a resume state belongs to another run
     */
    public static Result run(VqTrainConfig config, Device device, Consumer<String> log) throws IOException {
        TrainImages all = TrainImages.open(config.dataset(), config.imageSize());
        TrainImages train;
        TrainImages eval;
        if (config.evalImages() == 0) {
            train = all;
            eval = null;
        } else if (config.evalDataset() != null) {
            train = all;
            eval = TrainImages.open(config.evalDataset(), config.imageSize()).first(config.evalImages());
        } else {
            TrainImages[] parts = all.holdOut(config.evalImages(), config.seed());
            train = parts[0];
            eval = parts[1];
        }
        Files.createDirectories(config.out());
        log.accept(String.format(Locale.ROOT, "training the VQ tokenizer (%,d parameters, codebook %d x %d) on %,d "
                + "images of %s, %d held out for evaluation", config.model().parameterCount(),
                config.model().codebookSize(), config.model().codebookEmbedDim(), train.size(), config.dataset(),
                eval == null ? 0 : eval.size()));
        log.accept("losses: " + config.reconLoss() + " reconstruction + codebook + commitment (beta "
                + config.model().commitLossBeta() + ")" + (config.perceptualWeight() > 0
                ? " + " + config.perceptualWeight() + " x LPIPS-VGG" : "; the LPIPS perceptual loss is off (set "
                + "lpips_vgg and lpips_lin)") + (config.discWeight() > 0 ? " + " + config.discWeight()
                + " x PatchGAN hinge from step " + config.discStart() : "; the PatchGAN adversarial loss is off "
                + "(set disc_weight)"));
        try (VqModel model = VqWeights.initialize(config.model(), device, config.seed());
             Lpips lpips = config.perceptualWeight() > 0
                     ? Lpips.load(config.lpipsVgg(), config.lpipsLin(), model.manager()) : null;
             PatchDiscriminator disc = config.discWeight() > 0 ? new PatchDiscriminator(model.manager(),
                     DISC_WIDTH, config.seed() ^ STREAM_DISC, AdamW.Options.betas(config.beta1(), config.beta2()))
                     : null) {
            return new VqTrainer(config, model, train, lpips, disc).loop(eval, log);
        }
    }

    private Result loop(TrainImages eval, Consumer<String> log) throws IOException {
        Path out = config.out();
        Path statePath = out.resolve("train-state.safetensors");
        Path modelPath = out.resolve("vq.safetensors");
        Path csv = out.resolve("metrics.csv");
        Path discPath = out.resolve("disc-state.safetensors");
        Map<String, Parameter> params = parameters();
        long start = System.nanoTime();
        Trainer.Config trainerConfig = new Trainer.Config(LrSchedule.constant(config.lr()),
                AdamW.Options.betas(config.beta1(), config.beta2()), config.gradClip(), 1, config.ema(),
                config.seed());
        try (Trainer trainer = new Trainer(groups(params), trainerConfig, order)) {
            boolean resumed = config.resume() && Files.exists(statePath);
            if (resumed) {
                JsonObject extra = trainer.load(statePath);
                if (!"vq".equals(extra.has("kind") ? extra.get("kind").getAsString() : null)) {
                    throw new FormatException(statePath + ": is not a VQ tokenizer training state; use another out "
                            + "folder");
                }
                log.accept("resumed from " + statePath + " at step " + trainer.step());
                if (disc != null && Files.exists(discPath)) {
                    TrainCheckpoint.Contents d = TrainCheckpoint.read(discPath);
                    disc.loadState("disc/", d.tensors(), d.state().get("optimizer_steps").getAsLong());
                } else if (disc != null) {
                    log.accept("no discriminator state in " + out + "; the discriminator starts from scratch");
                }
            }
            long startStep = trainer.step();
            double lastLoss = Double.NaN;
            double[] lastEval = {Double.NaN, Double.NaN};
            double[] interval = new double[10];
            int intervalCount = 0;
            try (MetricsLog metrics = resumed ? MetricsLog.resume(csv, COLUMNS, startStep + 1)
                    : MetricsLog.create(csv, COLUMNS);
                 Progress progress = config.progress() ? Progress.start("train", startStep, config.maxSteps()) : null) {
                while (trainer.step() < config.maxSteps()) {
                    long t0 = System.nanoTime();
                    java.util.Arrays.fill(sums, 0);
                    Trainer.StepResult r = trainer.step(this::microLoss);
                    double discLoss = 0;
                    if (lastReal != null) {
                        try (NDArray real = lastReal; NDArray fake = lastFake) {
                            discLoss = disc.trainStep(real, fake, config.discWeight(), config.discLr());
                        }
                        lastReal = null;
                        lastFake = null;
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long done = r.step() + 1;
                    if (!Double.isFinite(r.gradNorm())) {
                        skippedSteps++;
                        log.accept("step " + done + ": skipped the update, gradient norm " + r.gradNorm()
                                + " (overflow in the backward pass)");
                    }
                    if (!Double.isFinite(r.loss()) || skippedSteps > MAX_SKIPPED_STEPS) {
                        throw new IllegalStateException("training diverged at step " + done + " (loss " + r.loss()
                                + ", " + skippedSteps + " steps skipped for non-finite gradients); resume from the "
                                + "last checkpoint with a lower lr");
                    }
                    lastLoss = r.loss();
                    if (config.codebookRestartEvery() > 0 && done % config.codebookRestartEvery() == 0) {
                        int restarted = restartUnusedCodes(done);
                        if (restarted > 0) {
                            log.accept("step " + done + ": restarted " + restarted + " codebook rows unused in the last "
                                    + config.codebookRestartEvery() + " steps");
                        }
                    }
                    double[] row = {r.loss(), sums[0], sums[1], sums[2], r.lr(), r.gradNorm(),
                        config.batchSize() / seconds, sums[3], sums[4], discLoss};
                    for (int i = 0; i < row.length; i++) {
                        interval[i] += row[i];
                    }
                    intervalCount++;
                    boolean last = done == config.maxSteps();
                    double[] evaluated = {Double.NaN, Double.NaN};
                    if (eval != null && ((config.evalEvery() > 0 && done % config.evalEvery() == 0) || last)) {
                        evaluated = evaluate(eval);
                        lastEval = evaluated;
                        log.accept(String.format(Locale.ROOT, "step %d: held-out PSNR %.2f dB, codebook usage %.1f%%"
                                + " (%d/%d), loss %.4f", done, evaluated[0], 100 * evaluated[1],
                                Math.round(evaluated[1] * config.model().codebookSize()),
                                config.model().codebookSize(), r.loss()));
                    }
                    if (done % config.logEvery() == 0 || last || !Double.isNaN(evaluated[0])) {
                        double[] values = new double[COLUMNS.size()];
                        for (int i = 0; i < interval.length; i++) {
                            values[i < 7 ? i : i + 2] = interval[i] / intervalCount;
                        }
                        values[7] = evaluated[0];
                        values[8] = evaluated[1];
                        metrics.log(done, values);
                        java.util.Arrays.fill(interval, 0);
                        intervalCount = 0;
                    }
                    if (eval != null && config.gridEvery() > 0 && (done % config.gridEvery() == 0 || last)) {
                        writeGrid(eval, out.resolve("grids").resolve(String.format("step-%07d.png", done)));
                    }
                    if (done % config.ckptEvery() == 0 || last) {
                        save(trainer, statePath, modelPath, done);
                        if (disc != null) {
                            JsonObject discState = new JsonObject();
                            discState.addProperty("optimizer_steps", disc.optimizerSteps());
                            TrainCheckpoint.write(discPath, disc.stateTensors("disc/"), discState);
                        }
                    }
                    if (progress != null) {
                        progress.setExtraMessage(String.format(Locale.ROOT, "loss %.4f, %.1f img/s", r.loss(),
                                config.batchSize() / seconds));
                        progress.step(1);
                    }
                }
            }
            if (MetricsLog.read(csv).rows().size() > 0) {
                MetricsLog.plot(csv, out.resolve("loss.png"), "loss", "recon_loss", "codebook_loss", "commit_loss");
                MetricsLog.plot(csv, out.resolve("eval.png"), "val_psnr");
                MetricsLog.plot(csv, out.resolve("usage.png"), "val_usage");
                if (lpips != null || disc != null) {
                    MetricsLog.plot(csv, out.resolve("gan.png"), "perceptual_loss", "gen_adv_loss", "disc_loss");
                }
            }
            if (skippedInBatches > 0) {
                log.accept("skipped " + skippedInBatches + " unreadable training image(s); see the warnings above");
            }
            return new Result(trainer.step(), lastLoss, lastEval[0], lastEval[1],
                    (System.nanoTime() - start) / 1e9, modelPath);
        }
    }

    /** Loss of one batch: augmentation draws, forward pass, weighted sum of the enabled losses. */
    private NDArray microLoss(Trainer.StepContext context) {
        SplittableRandom random = context.random(STREAM_AUGMENT);
        int[] picks = order.next(config.batchSize());
        List<RgbImage> images = new ArrayList<>(picks.length);
        for (int pick : picks) {
            Optional<RgbImage> image = train.image(pick, config.randomCrop(), config.randomFlip(), random);
            if (image.isPresent()) {
                images.add(image.get());
            } else {
                skippedInBatches++;
            }
        }
        if (images.isEmpty()) {
            throw new IllegalStateException("every image of the batch at step " + context.step()
                    + " was unreadable; check the data set");
        }
        NDArray x = ImageBatches.toBatch(model.manager(), images);                   // [B, 3, H, W]
        VqModel.TrainOutput o = model.forwardTrain(x);
        NDArray diff = o.reconstruction().sub(x);
        NDArray recon = config.reconLoss().equals("l1") ? diff.abs().mean() : diff.square().mean();
        NDArray loss = recon.mul(EngineArrays.scalar(recon, config.reconWeight()))
                .add(o.codebookLoss().mul(EngineArrays.scalar(recon, config.codebookWeight())))
                .add(o.commitLoss());
        if (lpips != null) {
            NDArray perceptual = lpips.distance(o.reconstruction(), x).mean();
            loss = loss.add(perceptual.mul(EngineArrays.scalar(perceptual, config.perceptualWeight())));
            sums[3] += perceptual.getFloat();
        }
        if (disc != null && context.step() >= config.discStart()) {
            NDArray adversarial = disc.generatorLoss(o.reconstruction());
            loss = loss.add(adversarial.mul(EngineArrays.scalar(adversarial, config.discWeight())));
            sums[4] += adversarial.getFloat();
            lastReal = detachedCopy(x);
            lastFake = detachedCopy(o.reconstruction());
        }
        if (config.codebookRestartEvery() > 0) {
            for (long c : o.codes().toLongArray()) {
                windowUsed.set((int) c);
            }
            lastBatch = images;
        }
        sums[0] += recon.getFloat();
        sums[1] += o.codebookLoss().getFloat();
        sums[2] += o.commitLoss().getFloat();
        return loss;
    }

    /** A copy without autograd history that outlives the step's scope. */
    private static NDArray detachedCopy(NDArray a) {
        NDArray copy = a.stopGradient().duplicate();
        NDScope.unregister(copy);
        return copy;
    }

    /**
     * Moves every codebook row that no code selected since the last restart onto an encoder
     * vector of the latest batch, drawn with a generator of (seed, step), so a resumed run
     * repeats it. The rows' Adam moments are kept.
     */
    private int restartUnusedCodes(long step) {
        int size = config.model().codebookSize();
        int dim = config.model().codebookEmbedDim();
        List<Integer> unused = new ArrayList<>();
        for (int k = windowUsed.nextClearBit(0); k < size; k = windowUsed.nextClearBit(k + 1)) {
            unused.add(k);
        }
        windowUsed.clear();
        if (unused.isEmpty() || lastBatch.isEmpty()) {
            return 0;
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray z = model.encodeContinuous(ImageBatches.toBatch(m, lastBatch));  // [B, D, h, w]
            float[] rows = z.transpose(0, 2, 3, 1).reshape(-1, dim).toFloatArray();  // [M, D]
            int count = rows.length / dim;
            NDArray codebook = model.parameters().get(VqWeights.CODEBOOK);           // [K, D]
            float[] weights = codebook.toFloatArray();
            SplittableRandom random = org.mutor.common.train.StepRandom.forStep(config.seed(), step, STREAM_RESTART);
            for (int k : unused) {
                int pick = random.nextInt(count);
                System.arraycopy(rows, pick * dim, weights, k * dim, dim);
            }
            codebook.set(weights);
        } finally {
            JniUtils.setGradMode(grad);
        }
        return unused.size();
    }

    /** Held-out PSNR (dB, pixels in [0, 1]) and codebook usage, with the current weights. */
    private double[] evaluate(TrainImages eval) {
        VqMetrics.Usage usage = new VqMetrics.Usage(config.model().codebookSize());
        double psnrSum = 0;
        int count = 0;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int s = 0; s < eval.size(); s += EVAL_BATCH) {
                List<RgbImage> originals = centreImages(eval, s, Math.min(eval.size(), s + EVAL_BATCH));
                if (originals.isEmpty()) {
                    continue;
                }
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray x = ImageBatches.toBatch(m, originals);
                    NDArray codes = model.encode(x);                                   // [B, h, w]
                    usage.add(codes.toLongArray());
                    List<RgbImage> rebuilt = ImageBatches.fromBatch(model.decode(codes));
                    for (int i = 0; i < originals.size(); i++) {
                        psnrSum += VqMetrics.psnr(originals.get(i), rebuilt.get(i));
                        count++;
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        return new double[] {count == 0 ? Double.NaN : psnrSum / count, usage.fraction()};
    }

    private static List<RgbImage> centreImages(TrainImages images, int from, int to) {
        List<RgbImage> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            images.image(i, false, false, null).ifPresent(out::add);
        }
        return out;
    }

    /** Writes the first held-out images above their reconstructions. */
    private void writeGrid(TrainImages eval, Path file) throws IOException {
        List<RgbImage> originals = centreImages(eval, 0, Math.min(eval.size(), GRID_COLUMNS));
        if (originals.isEmpty()) {
            return;
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = model.manager().newSubManager()) {
            List<RgbImage> cells = new ArrayList<>(originals);
            cells.addAll(ImageBatches.fromBatch(model.reconstruct(ImageBatches.toBatch(m, originals))));
            Files.createDirectories(file.getParent());
            ImageGrid.write(file, cells, originals.size(), ImageGrid.DEFAULT_PADDING);
        } finally {
            JniUtils.setGradMode(grad);
        }
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
        JsonObject extra = new JsonObject();
        extra.addProperty("kind", "vq");
        trainer.save(statePath, extra);
        VqCheckpoint.save(modelPath, model, step, null);
        if (trainer.ema() != null) {
            try (VqModel averaged = VqWeights.load(config.model(), emaState(trainer), Device.cpu())) {
                JsonObject meta = new JsonObject();
                meta.addProperty("ema", config.ema());
                VqCheckpoint.save(modelPath.resolveSibling("vq-ema.safetensors"), averaged, step, meta);
            }
        }
    }

    private Map<String, org.mutor.common.tensor.HostTensor> emaState(Trainer trainer) {
        Map<String, org.mutor.common.tensor.HostTensor> state = new LinkedHashMap<>();
        for (String name : model.parameters().keySet()) {
            state.put(name, org.mutor.common.tensor.HostTensor.fromNDArray(trainer.ema().weights().get(name)));
        }
        return state;
    }
}
