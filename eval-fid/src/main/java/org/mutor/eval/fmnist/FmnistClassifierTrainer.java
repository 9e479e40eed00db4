package org.mutor.eval.fmnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import ai.djl.ndarray.NDList;
import org.mutor.common.data.FashionMnist;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.SafeTensors;
import org.mutor.common.progress.Progress;
import org.mutor.common.train.AdamW;
import org.mutor.common.train.LrSchedule;
import org.mutor.common.train.ParamGroup;
import org.mutor.common.train.ShuffledOrder;
import org.mutor.common.train.Trainer;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains {@link FmnistClassifier} on the Fashion-MNIST training split and reports test
 * accuracy. Reproduce the bundled weights with:
 * <pre>
 * mvn -o -q -pl eval-fid exec:java -Dexec.mainClass=org.mutor.eval.fmnist.FmnistClassifierTrainer \
 *     -Dexec.args="eval-fid/src/main/resources/fmnist/fmnist-classifier.safetensors"
 * </pre>
 * (or the same class on a plain {@code java -cp} class path). Settings: batch 256,
 * 4 epochs, AdamW (0.9, 0.999) with peak rate 3e-3, 50 warm-up steps, cosine to 1e-5,
 * weight decay 1e-4 on weights only, seed 1234.
 */
public final class FmnistClassifierTrainer {

    /** Hyper-parameters of one run. */
    public record Settings(int batch, int epochs, double peakLr, long warmup, double weightDecay, long seed) {

        /** The settings that produced the bundled weights. */
        public static Settings defaults() {
            return new Settings(256, 4, 3e-3, 50, 1e-4, 1234);
        }
    }

    /** Outcome of a run: the final test accuracy and the training time. */
    public record Result(double testAccuracy, long steps, double seconds) {
    }

    private FmnistClassifierTrainer() {
    }

    /** Command-line entry: {@code OUT.safetensors [epochs]}; prints progress to standard error. */
    public static void main(String[] args) throws IOException {
        EngineSetup.offline();
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: FmnistClassifierTrainer OUT.safetensors [epochs]");
        }
        Settings s = Settings.defaults();
        if (args.length > 1) {
            s = new Settings(s.batch(), Integer.parseInt(args[1]), s.peakLr(), s.warmup(), s.weightDecay(), s.seed());
        }
        EngineSetup.start(EngineSetup.Options.defaults().withSeed(s.seed()));
        Result r = train(s, Path.of(args[0]));
        System.out.printf("test accuracy %.4f after %d steps in %.0f s; weights in %s%n",
                r.testAccuracy(), r.steps(), r.seconds(), args[0]);
    }

    /** Trains from scratch with {@code settings} and writes the weights to {@code out}. */
    public static Result train(Settings settings, Path out) throws IOException {
        FashionMnist.Split train = FashionMnist.train();
        FashionMnist.Split test = FashionMnist.test();
        long start = System.nanoTime();
        int stepsPerEpoch = train.size() / settings.batch();
        long total = (long) stepsPerEpoch * settings.epochs();
        try (NDManager manager = NDManager.newBaseManager(EngineSetup.device())) {
            FmnistClassifier model = FmnistClassifier.initialize(manager, settings.seed());
            Map<String, ai.djl.nn.Parameter> decay = new LinkedHashMap<>();
            Map<String, ai.djl.nn.Parameter> noDecay = new LinkedHashMap<>();
            model.params().forEach((k, p) -> (k.endsWith("weight") ? decay : noDecay).put(k, p));
            List<ParamGroup> groups = List.of(ParamGroup.of(decay, settings.weightDecay()), ParamGroup.of(noDecay, 0));
            Trainer.Config config = new Trainer.Config(
                    LrSchedule.warmupCosine(settings.peakLr(), settings.warmup(), total, 1e-5),
                    AdamW.Options.defaults(), 0, 1, 0, settings.seed());
            ShuffledOrder order = new ShuffledOrder(train.size(), settings.seed());
            try (Trainer trainer = new Trainer(groups, config, order);
                 Progress progress = Progress.start("fmnist-classifier", total)) {
                while (trainer.step() < total) {
                    int[] indices = order.next(settings.batch());
                    Trainer.StepResult r = trainer.step(ctx -> {
                        NDArray x = batch(manager, train, indices);
                        NDArray y = labels(manager, train, indices);
                        NDArray logits = model.logits(model.features(x));
                        return Loss.softmaxCrossEntropyLoss().evaluate(new NDList(y), new NDList(logits));
                    });
                    progress.setExtraMessage(String.format("loss %.4f lr %.2e", r.loss(), r.lr()));
                    progress.step();
                }
            }
            SafeTensors.write(out, model.tensors(), Map.of("mutor.model", "fmnist-classifier"));
            double accuracy = accuracy(model, test, manager);
            return new Result(accuracy, total, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Fraction of {@code split} that {@code model} classifies correctly. */
    public static double accuracy(FmnistClassifier model, FashionMnist.Split split, NDManager manager) {
        int correct = 0;
        int step = 500;
        for (int from = 0; from < split.size(); from += step) {
            int n = Math.min(step, split.size() - from);
            int[] indices = new int[n];
            for (int i = 0; i < n; i++) {
                indices[i] = from + i;
            }
            try (NDManager sub = manager.newSubManager()) {
                NDArray x = batch(sub, split, indices);
                long[] predicted = model.logits(model.features(x)).argMax(1).toLongArray();
                for (int i = 0; i < n; i++) {
                    if (predicted[i] == split.label(indices[i])) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / split.size();
    }

    /** Images {@code indices} of {@code split} as {@code [B, 1, 28, 28]} in [0, 1]. */
    static NDArray batch(NDManager manager, FashionMnist.Split split, int[] indices) {
        int px = FmnistClassifier.SIZE * FmnistClassifier.SIZE;
        byte[] bytes = new byte[indices.length * px];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(split.images().image(indices[i]), 0, bytes, i * px, px);
        }
        long[] shape = {indices.length, 1, FmnistClassifier.SIZE, FmnistClassifier.SIZE};
        try (NDArray raw = HostTensor.contiguous("images", DType.UINT8, shape, ByteBuffer.wrap(bytes)).toNDArray(manager)) {
            return raw.toType(DataType.FLOAT32, false).div(255f);
        }
    }

    private static NDArray labels(NDManager manager, FashionMnist.Split split, int[] indices) {
        long[] y = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            y[i] = split.label(indices[i]);
        }
        return manager.create(y);
    }
}
