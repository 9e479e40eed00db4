package org.mutor.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import org.mutor.common.format.FormatException;
import org.mutor.common.train.AdamW;
import org.mutor.common.train.LrSchedule;
import org.mutor.common.train.MetricsLog;
import org.mutor.common.train.ParamGroup;
import org.mutor.common.train.ShuffledOrder;
import org.mutor.common.train.Trainer;
import org.mutor.mutor2d.RegisterMode;
import org.mutor.mutor2d.RegisterSampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Full fine-tuning of a Hugging Face LM on prompt/answer data, with next-token prediction or
 * MuToR-1D registers. Recipe: AdamW (0.9, 0.999), weight decay 0, linear warm-up over 10% of the
 * steps then linear decay to 0, global-norm clipping at 1.0, gradient accumulation. The state
 * for exact resume goes to {@code out/train-state.safetensors} after every epoch; the final
 * model is written to {@code out} as a Hugging Face folder without the register embedding.
 */
public final class LmFinetune {

    /** File of the resumable training state inside the output folder. */
    public static final String STATE = "train-state.safetensors";
    private static final long STREAM_PLANS = 0x504C414EL;
    private static final List<String> COLUMNS = List.of("loss", "ntp_loss", "reg_loss", "lr", "grad_norm");

    /**
     * Settings of a run.
     *
     * @param model base model folder
     * @param data training jsonl
     * @param fields jsonl fields
     * @param mutor whether registers are trained (else next-token prediction)
     * @param maxOffset d_max
     * @param alpha register loss weight a
     * @param lr peak learning rate
     * @param epochs passes over the data
     * @param batchSize examples per micro-batch
     * @param gradAccum micro-batches per optimizer step
     * @param maxLength longest prompt plus answer kept
     * @param out output folder
     * @param resume whether to continue from {@code out/train-state.safetensors}
     * @param seed run seed
     */
    public record Options(Path model, Path data, LmData.Fields fields, boolean mutor, int maxOffset, double alpha,
                          double lr, int epochs, int batchSize, int gradAccum, int maxLength, Path out,
                          boolean resume, long seed) {

        /** Validates the numbers. */
        public Options {
            if (epochs < 1 || batchSize < 1 || gradAccum < 1 || maxLength < 2 || maxOffset < 1) {
                throw new IllegalArgumentException("epochs, batch size, grad accumulation and d_max must be at least 1 "
                        + "and the maximum length at least 2; got " + epochs + ", " + batchSize + ", " + gradAccum
                        + ", " + maxOffset + ", " + maxLength);
            }
            if (!(alpha >= 0 && alpha <= 1) || !(lr > 0)) {
                throw new IllegalArgumentException("alpha " + alpha + " must be in [0, 1] and lr " + lr + " positive");
            }
        }
    }

    /**
     * Outcome of a run.
     *
     * @param steps optimizer steps done in total
     * @param examples training examples used
     * @param dropped examples dropped for length
     * @param lastLoss loss of the last step
     */
    public record Summary(long steps, int examples, int dropped, double lastLoss) {
    }

    private LmFinetune() {
    }

    /** Trains, writing progress lines to {@code log}, and exports the final model. */
    public static Summary run(Options o, Device device, Consumer<String> log) throws IOException {
        try (CausalLm model = CausalLm.load(o.model(), device);
             LmTokenizer tokenizer = LmTokenizer.open(o.model())) {
            LmData.Loaded loaded = LmData.load(o.data(), o.fields(), tokenizer, o.maxLength(), model.config().eosId());
            List<LmData.Example> data = loaded.examples();
            if (data.isEmpty()) {
                throw new FormatException(o.data() + ": no example fits in " + o.maxLength() + " tokens ("
                        + loaded.dropped() + " dropped); raise --max-length");
            }
            log.accept(String.format("%d training examples, %d dropped as longer than %d tokens",
                    data.size(), loaded.dropped(), o.maxLength()));
            if (o.mutor()) {
                model.addRegisterEmbedding();
            }
            int perStep = o.batchSize() * o.gradAccum();
            long stepsPerEpoch = (data.size() + perStep - 1) / perStep;
            long total = stepsPerEpoch * o.epochs();
            long warmup = Math.max(1, Math.round(0.1 * total));
            RegisterSampler sampler = o.mutor() ? new RegisterSampler(RegisterMode.FULL, o.maxOffset(), 0)
                    : RegisterSampler.none();
            ShuffledOrder order = new ShuffledOrder(data.size(), o.seed());
            Map<String, Parameter> params = parameters(model);
            Files.createDirectories(o.out());
            Path state = o.out().resolve(STATE);
            Path csv = o.out().resolve("metrics.csv");
            String method = o.mutor() ? "mutor" : "ntp";
            Trainer.Config config = new Trainer.Config(LrSchedule.warmupLinear(o.lr(), warmup, total, 0),
                    AdamW.Options.betas(0.9, 0.999), 1.0, o.gradAccum(), 0, o.seed());
            double lastLoss = Double.NaN;
            try (Trainer trainer = new Trainer(List.of(ParamGroup.of(params, 0.0)), config, order)) {
                boolean resumed = o.resume() && Files.exists(state);
                if (resumed) {
                    JsonObject extra = trainer.load(state);
                    String saved = extra.has("method") ? extra.get("method").getAsString() : "?";
                    if (!saved.equals(method)) {
                        throw new FormatException(state + ": was trained with --method " + saved + ", not " + method
                                + "; resume with the same method or use another --out folder");
                    }
                    log.accept("resumed at step " + trainer.step() + " of " + total);
                }
                double[] parts = new double[2];
                try (MetricsLog metrics = resumed ? MetricsLog.resume(csv, COLUMNS, trainer.step() + 1)
                        : MetricsLog.create(csv, COLUMNS)) {
                    while (trainer.step() < total) {
                        parts[0] = 0;
                        parts[1] = 0;
                        Trainer.StepResult r = trainer.step(context -> {
                            SplittableRandom random = context.random(STREAM_PLANS);
                            List<LmData.Example> batch = new ArrayList<>(o.batchSize());
                            for (int index : order.next(o.batchSize())) {
                                batch.add(data.get(index));
                            }
                            LmLoss.Result result = LmLoss.loss(model, model.manager(), batch,
                                    LmLoss.plans(batch, sampler, random), o.alpha());
                            parts[0] += result.ntp() / o.gradAccum();
                            parts[1] += result.register() / o.gradAccum();
                            return result.loss();
                        });
                        lastLoss = r.loss();
                        long done = r.step() + 1;
                        metrics.log(done, r.loss(), parts[0], parts[1], r.lr(), r.gradNorm());
                        if (done % stepsPerEpoch == 0 || done == total) {
                            JsonObject extra = new JsonObject();
                            extra.addProperty("method", method);
                            trainer.save(state, extra);
                            log.accept(String.format("epoch %d/%d step %d/%d loss %.4f (ntp %.4f, reg %.4f) lr %.3g",
                                    (done + stepsPerEpoch - 1) / stepsPerEpoch, o.epochs(), done, total, r.loss(),
                                    parts[0], parts[1], r.lr()));
                        }
                    }
                }
                HfExport.write(model, o.model(), o.out());
                log.accept("wrote the fine-tuned model to " + o.out());
                return new Summary(trainer.step(), data.size(), loaded.dropped(), lastLoss);
            }
        }
    }

    /** Wraps every model array, the register embedding included, as a trainable parameter. */
    static Map<String, Parameter> parameters(CausalLm model) {
        return ParamGroup.trainable(model.parameters());
    }
}
