package org.mutor.generator.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;

import org.mutor.common.engine.EngineSetup;
import org.mutor.common.train.AdamW;
import org.mutor.common.train.LrSchedule;
import org.mutor.common.train.ParamGroup;
import org.mutor.common.train.Trainer;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.train.TrainStep;
import org.mutor.mutor2d.GridLayout;
import org.mutor.mutor2d.RegisterMode;
import org.mutor.mutor2d.RegisterSampler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training throughput of a random-weight GPT on random codes: one optimizer step is forward,
 * backward, clipping and AdamW over one batch, through the trainer's own code path. Run by
 * bench/train_bench.sh next to its PyTorch peer; not a test.
 *
 * <p>Arguments: method (ntp, full or sparse), dim (768), layers (2), heads (12), vocab (16384),
 * grid (16), batch (4), steps (5), sparse registers (80), dropout (0.1).
 */
public final class GptTrainBench {

    private GptTrainBench() {
    }

    public static void main(String[] args) throws Exception {
        EngineSetup.offline();
        String method = arg(args, 0, "ntp");
        int dim = Integer.parseInt(arg(args, 1, "768"));
        int layers = Integer.parseInt(arg(args, 2, "2"));
        int heads = Integer.parseInt(arg(args, 3, "12"));
        int vocab = Integer.parseInt(arg(args, 4, "16384"));
        int grid = Integer.parseInt(arg(args, 5, "16"));
        int batch = Integer.parseInt(arg(args, 6, "4"));
        int steps = Integer.parseInt(arg(args, 7, "5"));
        int sparse = Integer.parseInt(arg(args, 8, "80"));
        double p = Double.parseDouble(arg(args, 9, "0.1"));
        Device device = EngineSetup.start(EngineSetup.Options.defaults().withSeed(0));
        GptConfig config = new GptConfig(dim, layers, heads, heads, 256, null, 1e-5, 10000, vocab, 1000, 1,
                grid * grid, p, p, p, p);
        RegisterSampler sampler = switch (method) {
            case "ntp" -> null;
            case "full" -> new RegisterSampler(RegisterMode.FULL, 4, 0);
            case "sparse" -> new RegisterSampler(RegisterMode.SPARSE, 4, sparse);
            default -> throw new IllegalArgumentException("method " + method + ": use ntp, full or sparse");
        };
        GridLayout layout = new GridLayout(grid, grid);
        try (GptModel model = GptModel.initialize(config, device, 0, sampler != null)) {
            Map<String, Parameter> decay = new LinkedHashMap<>();
            Map<String, Parameter> noDecay = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                Parameter param = Parameter.builder().setName(e.getKey()).setType(Parameter.Type.WEIGHT).build();
                e.getValue().setRequiresGradient(true);
                param.setArray(e.getValue());
                (e.getValue().getShape().dimension() >= 2 ? decay : noDecay).put(e.getKey(), param);
            }
            Trainer.Config tc = new Trainer.Config(LrSchedule.constant(1e-4), AdamW.Options.betas(0.9, 0.95), 1.0,
                    1, 0, 0);
            GptModel.Dropout dropout = (x, rate) -> rate > 0 ? Dropout.dropout(x, rate.floatValue(), true)
                    .singletonOrThrow() : x;
            long[] slots = new long[1];
            try (Trainer trainer = new Trainer(List.of(ParamGroup.of(decay, 0.05), ParamGroup.of(noDecay, 0)), tc,
                    null)) {
                Trainer.MicroBatchLoss loss = context -> {
                    SplittableRandom random = context.random(1);
                    List<TrainStep.Sample> samples = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        int[] codes = new int[grid * grid];
                        for (int t = 0; t < codes.length; t++) {
                            codes[t] = random.nextInt(vocab);
                        }
                        samples.add(new TrainStep.Sample(random.nextInt(1000), codes,
                                sampler == null ? null : sampler.plan(layout, random)));
                    }
                    TrainStep.Result r = TrainStep.loss(model, model.manager(), samples, 0.5, dropout);
                    slots[0] += r.slots();
                    return r.loss();
                };
                Trainer.StepResult warm = trainer.step(loss); // warm-up
                if (System.getenv("BENCH_VERBOSE") != null) {
                    System.out.printf(Locale.ROOT, "warm-up loss %.4f grad norm %.4f%n", warm.loss(), warm.gradNorm());
                }
                slots[0] = 0;
                long t0 = System.nanoTime();
                double last = 0;
                for (int s = 0; s < steps; s++) {
                    Trainer.StepResult sr = trainer.step(loss);
                    last = sr.loss();
                    if (System.getenv("BENCH_VERBOSE") != null) {
                        System.out.printf(Locale.ROOT, "step %d loss %.4f grad norm %.4f%n", sr.step(), sr.loss(), sr.gradNorm());
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "java %s: dim %d, %d layers, batch %d, %d tokens: %.1f ms/step, "
                        + "%.0f tokens/s, %.0f slots/s (loss %.3f, threads %s)%n", method, dim, layers, batch,
                        grid * grid, 1000 * seconds / steps, (double) steps * batch * grid * grid / seconds,
                        slots[0] / seconds, last, System.getProperty("ai.djl.pytorch.num_threads"));
            }
        }
    }

    private static String arg(String[] args, int i, String fallback) {
        return args.length > i ? args[i] : fallback;
    }
}
