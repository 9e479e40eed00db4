package org.mutor.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.mutor.common.data.FashionMnist;
import org.mutor.common.format.AtomicFiles;
import org.mutor.common.progress.Progress;
import org.mutor.common.tensor.HostTensor;
import org.mutor.eval.FeatureExtractor;
import org.mutor.eval.fmnist.FmnistExtractor;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.sample.AdmSampleFile;
import org.mutor.generator.sample.Sampler;
import org.mutor.generator.sample.SamplingOptions;
import org.mutor.tokenizer.VqModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mutor eval agreement}: how often the Fashion-MNIST classifier assigns generated
 * samples to the class they were generated for, per class and on average.
 */
@Command(name = "agreement",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generate N samples of every class of a Fashion-MNIST model and report how often the bundled "
                    + "Fashion-MNIST classifier agrees with the requested class, per class and on average.",
            "Without --gpt and --vq it evaluates the bundled default model."
        })
final class AgreementCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--per-class", defaultValue = "100", paramLabel = "N",
            description = "Samples per class. Default: ${DEFAULT-VALUE}.")
    int perClass;

    @Option(names = "--cfg", paramLabel = "SCALE", description = "Guidance scale. Default: the model's recommended "
            + "value, else 2.0.")
    Double cfg;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--batch-size", defaultValue = "50", paramLabel = "B", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the agreement as JSON.")
    Path json;

    @Mixin
    GptOptions gpt;

    @Mixin
    VqOptions vq;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        if (perClass < 1 || batchSize < 1) {
            throw new IllegalArgumentException("--per-class and --batch-size must be at least 1");
        }
        Device device = common.startEngine();
        ResolvedModels models = ResolvedModels.resolve(gpt, vq, new int[] {0}, device);
        try (GptModel model = models.gpt(); VqModel tokenizer = models.vq();
             NDManager manager = NDManager.newBaseManager(device);
             FeatureExtractor classifier = FmnistExtractor.loadBundled(manager)) {
            if (tokenizer == null) {
                throw new IllegalArgumentException("agreement needs images: add --vq CKPT");
            }
            GptConfig config = model.config();
            int classes = config.numClasses();
            if (classes != FashionMnist.CLASS_NAMES.size()) {
                throw new IllegalArgumentException("the model has " + classes + " classes; the Fashion-MNIST "
                        + "classifier judges models with 10");
            }
            SamplingOptions options = new SamplingOptions(cfg != null ? cfg : models.recommendedCfg(), -1,
                    temperature, 0, 1.0);
            int[] agreed = measure(model, tokenizer, classifier, options, perClass, batchSize, common.seed, manager);
            report(agreed, perClass);
        }
        return ExitCodes.OK;
    }

    /** Counts, per class, the samples that the classifier assigns to the class they were generated for. */
    static int[] measure(GptModel model, VqModel tokenizer, FeatureExtractor classifier, SamplingOptions options,
                         int perClass, int batchSize, long seed, NDManager manager) {
        GptConfig config = model.config();
        int classes = config.numClasses();
        Sampler sampler = new Sampler(model);
        int[] agreed = new int[classes];
        int total = classes * perClass;
        int grid = config.gridSize();
        try (Progress progress = Progress.start("agreement", total)) {
            for (int start = 0; start < total; start += batchSize) {
                int n = Math.min(batchSize, total - start);
                int[] labels = new int[n];
                long[] indices = new long[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = (start + i) / perClass;
                    indices[i] = start + i;
                }
                long[][] codes = sampler.sample(labels, indices, options, seed);
                long[] flat = new long[n * grid * grid];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(codes[i], 0, flat, i * grid * grid, grid * grid);
                }
                try (NDManager batch = manager.newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray decoded = tokenizer.decode(batch.create(flat, new Shape(n, grid, grid)));
                    HostTensor bytes = AdmSampleFile.toUint8(decoded, (int) decoded.getShape().get(2));
                    long[] predicted = classifier.extract(bytes.toNDArray(batch), batch).logits().argMax(1).toLongArray();
                    for (int i = 0; i < n; i++) {
                        if (predicted[i] == labels[i]) {
                            agreed[labels[i]]++;
                        }
                    }
                }
                progress.step(n);
            }
        }
        return agreed;
    }

    private void report(int[] agreed, int perClass) throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        JsonObject result = new JsonObject();
        JsonArray perClassJson = new JsonArray();
        double sum = 0;
        double min = 1;
        for (int c = 0; c < agreed.length; c++) {
            double rate = agreed[c] / (double) perClass;
            sum += rate;
            min = Math.min(min, rate);
            out.printf(Locale.ROOT, "%d %-12s %6.1f%%%n", c, FashionMnist.CLASS_NAMES.get(c), 100 * rate);
            perClassJson.add(rate);
        }
        double mean = sum / agreed.length;
        out.printf(Locale.ROOT, "mean %17.1f%%, lowest class %.1f%% (%d samples per class)%n", 100 * mean, 100 * min,
                perClass);
        result.addProperty("mean", mean);
        result.addProperty("min", min);
        result.addProperty("per_class_samples", perClass);
        result.add("per_class", perClassJson);
        if (json != null) {
            AtomicFiles.writeBytes(json, (new GsonBuilder().setPrettyPrinting().create().toJson(result) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.println("wrote " + json);
        }
        out.flush();
    }
}
