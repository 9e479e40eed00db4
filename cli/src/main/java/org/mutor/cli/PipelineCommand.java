package org.mutor.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.mutor.common.config.YamlConfig;
import org.mutor.common.data.FashionMnist;
import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.numpy.NpzWriter;
import org.mutor.common.image.ImageGrid;
import org.mutor.common.progress.Progress;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;
import org.mutor.eval.EvalOptions;
import org.mutor.eval.EvalResult;
import org.mutor.eval.Evaluator;
import org.mutor.eval.FeatureExtractor;
import org.mutor.eval.fmnist.FmnistExtractor;
import org.mutor.generator.gpt.GptLoader;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.sample.Sampler;
import org.mutor.generator.sample.SamplingOptions;
import org.mutor.generator.train.GptTrainer;
import org.mutor.generator.train.TrainConfig;
import org.mutor.generator.train.TrainFlops;
import org.mutor.generator.train.TrainListener;
import org.mutor.tokenizer.VqModel;
import org.mutor.tokenizer.codes.CodeExtractor;
import org.mutor.tokenizer.codes.ImageSource;
import org.mutor.tokenizer.train.VqTrainConfig;
import org.mutor.tokenizer.train.VqTrainer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mutor pipeline}: the Fashion-MNIST comparison end to end. Every stage is skipped
 * when its output exists, and training resumes, so an interrupted run continues where it
 * stopped when the same command is given again.
 */
@Command(name = "pipeline",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the Fashion-MNIST comparison end to end: code extraction with the tokenizer, GPT training for "
                    + "every method and seed, sampling, FID/IS/precision/recall against the test split with the "
                    + "Fashion-MNIST evaluator, classifier agreement, and a summary (OUT/summary.md, summary.json).",
            "Rerun the same command after an interruption: finished stages are skipped and training resumes."
        })
final class PipelineCommand implements Callable<Integer> {

    /** Pipeline keys of the YAML file; each is also a flag. */
    static final java.util.Set<String> KEYS = java.util.Set.of("out", "vq", "methods", "seeds", "max_steps",
            "eval_samples", "agreement_per_class", "cfg", "batch_size", "config_ntp", "config_mutor_1d",
            "config_mutor_2d", "vq_config");

    /** NTP trained for as many FLOPs as MuToR-2D spends in max_steps. */
    static final String NTP_EQUAL_COMPUTE = "ntp-equal-compute";

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "YAML",
            description = "Pipeline config, for example configs/pipeline-fmnist.yaml.")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Overrides the output folder.")
    Path out;

    @Option(names = "--vq", paramLabel = "CKPT",
            description = "Overrides the tokenizer. An existing file with no train-state.safetensors beside it is used "
                    + "as it is; otherwise the tokenizer is trained (or resumed) into its folder with vq_config "
                    + "(default configs/train-vq-fmnist.yaml), for example --vq runs/pipeline-fmnist/vq/vq.safetensors.")
    Path vqOverride;

    @Option(names = "--methods", split = ",", paramLabel = "M1,M2,...",
            description = "Overrides the methods: ntp, ntp-equal-compute (NTP given the training FLOPs of "
                    + "mutor-2d), mutor-1d, mutor-2d.")
    List<String> methodNames;

    @Option(names = "--seeds", split = ",", paramLabel = "S1,S2,...", description = "Overrides the training seeds: one run per method and seed (--seed below is unused "
                    + "here).")
    List<Integer> seeds;

    @Option(names = "--max-steps", paramLabel = "N", description = "Overrides the training steps of every run.")
    Long maxSteps;

    @Option(names = "--eval-samples", paramLabel = "N", description = "Overrides the samples per run for FID.")
    Integer evalSamples;

    @Option(names = "--agreement-per-class", paramLabel = "N",
            description = "Overrides the samples per class for classifier agreement.")
    Integer agreementPerClass;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        YamlConfig yaml = YamlConfig.load(config).requireKnownKeys(KEYS);
        Path outDir = out != null ? out : Path.of(yaml.getString("out", "runs/pipeline-fmnist"));
        Path vqPath = vqOverride != null ? vqOverride : Path.of(yaml.getString("vq", "models/default/vq.safetensors"));
        Path vqConfig = Path.of(yaml.getString("vq_config", "configs/train-vq-fmnist.yaml"));
        List<Integer> seedList = seeds != null ? seeds : toList(yaml.getIntList("seeds", new int[] {0, 1, 2}));
        long steps = maxSteps != null ? maxSteps : yaml.getLong("max_steps", 3000);
        int samples = evalSamples != null ? evalSamples : yaml.getInt("eval_samples", 10000);
        int perClass = agreementPerClass != null ? agreementPerClass : yaml.getInt("agreement_per_class", 100);
        double cfg = yaml.getDouble("cfg", 2.0);
        int batch = yaml.getInt("batch_size", 50);
        Map<String, Path> methods = methodConfigs(yaml, methodNames);
        requireAtLeast("max_steps", steps, 1);
        requireAtLeast("eval_samples", samples, 2);
        requireAtLeast("agreement_per_class", perClass, 1);
        requireAtLeast("batch_size", batch, 1);
        if (seedList.isEmpty()) {
            throw new IllegalArgumentException("no seeds given; list at least one, for example --seeds 0,1,2");
        }
        PrintWriter log = spec.commandLine().getErr();
        if (needsTokenizerTraining(vqPath) && !vqPath.getFileName().toString().equals("vq.safetensors")) {
            throw new IllegalArgumentException("tokenizer " + vqPath + " not found; give an existing checkpoint, or a "
                    + "path ending in vq.safetensors to train one there with " + vqConfig);
        }
        Device device = common.startEngine();
        Files.createDirectories(outDir);
        trainTokenizer(vqPath, vqConfig, device, log);

        Path codesTrain = outDir.resolve("codes-train");
        Path codesTest = outDir.resolve("codes-test");
        Path reference = outDir.resolve("reference-test.npz");
        try (VqModel tokenizer = VqOptions.load(vqPath, null, false, device)) {
            extract(tokenizer, vqPath, "fmnist", codesTrain, log);
            extract(tokenizer, vqPath, "fmnist:test", codesTest, log);
            writeReference(reference, log);
            JsonObject summary = new JsonObject();
            List<PipelineReport.Run> runs = new ArrayList<>();
            for (Map.Entry<String, Path> method : methods.entrySet()) {
                JsonObject perSeed = new JsonObject();
                long runSteps = method.getKey().equals(NTP_EQUAL_COMPUTE) ? equalComputeSteps(yaml, steps) : steps;
                TrainConfig trainConfig = TrainConfig.fromYaml(YamlConfig.load(method.getValue()), Map.of());
                for (int seed : seedList) {
                    Path run = outDir.resolve(method.getKey() + "-seed" + seed);
                    train(method.getValue(), run, codesTrain, codesTest, runSteps, seed, log);
                    JsonObject scores = evaluate(run, tokenizer, reference, samples, perClass, cfg, batch, seed, device,
                            log);
                    PipelineReport.Run facts = new PipelineReport.Run(method.getKey(), seed, run,
                            (long) trainConfig.batchSize() * trainConfig.model().blockSize(),
                            TrainFlops.perStep(trainConfig));
                    runs.add(facts);
                    scores.add("training", PipelineReport.training(facts));
                    perSeed.add(Integer.toString(seed), scores);
                }
                writeClassGrid(outDir.resolve(method.getKey() + "-seed" + seedList.get(0)),
                        outDir.resolve("grid-" + method.getKey() + ".png"), tokenizer, cfg, seedList.get(0), device, log);
                summary.add(method.getKey(), perSeed);
            }
            PipelineReport.plotValidation(runs, outDir.resolve("val-nll.png"), false);
            PipelineReport.plotValidation(runs, outDir.resolve("val-nll-compute.png"), true);
            Path json = outDir.resolve("summary.json");
            AtomicFiles.writeBytes(json, (new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            Path markdown = outDir.resolve("summary.md");
            AtomicFiles.writeBytes(markdown, PipelineSummary.markdown(summary).getBytes(StandardCharsets.UTF_8));
            spec.commandLine().getOut().print(PipelineSummary.markdown(summary));
            spec.commandLine().getOut().println("wrote " + markdown + " and " + json);
        }
        return ExitCodes.OK;
    }

    private static void requireAtLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("invalid " + key + " " + value + "; use at least " + min);
        }
    }

    private static List<Integer> toList(int[] values) {
        List<Integer> list = new ArrayList<>();
        for (int v : values) {
            list.add(v);
        }
        return list;
    }

    /** Method name to its training config; default NTP and MuToR-2D with the Fashion-MNIST presets. */
    private static Map<String, Path> methodConfigs(YamlConfig yaml, List<String> names) {
        Map<String, Path> methods = new LinkedHashMap<>();
        List<String> list = names;
        if (list == null) {
            list = new ArrayList<>();
            for (String name : yaml.getString("methods", "ntp,mutor-2d").replace("[", "").replace("]", "").split(",")) {
                list.add(name);
            }
        }
        for (String name : list) {
            String method = name.trim();
            methods.put(method, configPath(yaml, method));
        }
        return methods;
    }

    private static Path configPath(YamlConfig yaml, String method) {
        String preset = switch (method) {
            case "ntp", NTP_EQUAL_COMPUTE -> "ntp";
            case "mutor-1d" -> "mutor-1d";
            case "mutor-2d" -> "mutor-2d";
            default -> throw new IllegalArgumentException("invalid method '" + method
                    + "'; use ntp, ntp-equal-compute, mutor-1d or mutor-2d");
        };
        String file = "configs/fmnist-" + preset.replace("-", "") + ".yaml";
        return Path.of(yaml.getString("config_" + preset.replace('-', '_'), file));
    }

    /** Steps of NTP that cost the training FLOPs of {@code steps} MuToR-2D steps. */
    static long equalComputeSteps(YamlConfig yaml, long steps) throws IOException {
        Map<String, Object> none = Map.of();
        TrainConfig ntp = TrainConfig.fromYaml(YamlConfig.load(configPath(yaml, "ntp")), none);
        TrainConfig mutor = TrainConfig.fromYaml(YamlConfig.load(configPath(yaml, "mutor-2d")), none);
        return TrainFlops.equalComputeSteps(ntp, mutor, steps);
    }

    /** True unless {@code vq} is a finished checkpoint: present, with no training state beside it. */
    static boolean needsTokenizerTraining(Path vq) {
        Path parent = vq.toAbsolutePath().getParent();
        return !Files.isRegularFile(vq) || Files.exists(parent.resolve("train-state.safetensors"));
    }

    /** Trains or resumes the tokenizer into the folder of {@code vq} unless it is a finished checkpoint. */
    private static void trainTokenizer(Path vq, Path config, Device device, PrintWriter log) throws IOException {
        if (!needsTokenizerTraining(vq)) {
            log.println("tokenizer " + vq + ": given");
            return;
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("out", vq.toAbsolutePath().getParent().toString());
        overrides.put("resume", true);
        VqTrainer.Result result = VqTrainer.run(VqTrainConfig.fromYaml(YamlConfig.load(config), overrides), device,
                line -> {
                    log.println(line);
                    log.flush();
                });
        if (Double.isNaN(result.psnr())) {
            log.println("tokenizer " + result.checkpoint() + ": done, " + result.steps() + " steps");
        } else {
            log.println(String.format(Locale.ROOT, "tokenizer %s: %d steps, held-out PSNR %.2f dB, codebook usage "
                    + "%.1f%%", result.checkpoint(), result.steps(), result.psnr(), 100 * result.usage()));
        }
    }

    private static void extract(VqModel tokenizer, Path vqPath, String data, Path dir, PrintWriter log)
            throws IOException {
        if (Files.isRegularFile(dir.resolve("meta.json"))) {
            log.println("codes " + dir + ": done");
            return;
        }
        CodeExtractor.Options options = new CodeExtractor.Options(32, false, false, 100, 0, 10000,
                vqPath.toAbsolutePath().normalize() + " (" + Files.size(vqPath) + " bytes)");
        try (ImageSource source = ImageSource.open(data); Progress progress = Progress.start("extract", source.total())) {
            CodeExtractor.extract(tokenizer, source, dir, options, progress);
        }
    }

    /** The test split as an ADM-style reference: uint8 [10000, 28, 28, 3], gray repeated to 3 channels. */
    private static void writeReference(Path file, PrintWriter log) throws IOException {
        if (Files.isRegularFile(file)) {
            log.println("reference " + file + ": done");
            return;
        }
        FashionMnist.Split test = FashionMnist.test();
        int n = test.size();
        ByteBuffer bytes = ByteBuffer.allocate(n * 28 * 28 * 3);
        for (int i = 0; i < n; i++) {
            bytes.put(test.image(i).rgb());
        }
        bytes.flip();
        NpzWriter.write(file, Map.of("arr_0", HostTensor.contiguous("reference", DType.UINT8,
                new long[] {n, 28, 28, 3}, bytes)));
    }

    private static void train(Path yaml, Path run, Path codes, Path valCodes, long steps, int seed, PrintWriter log)
            throws IOException {
        Path model = run.resolve("model.safetensors");
        if (Files.isRegularFile(model) && storedStep(model) >= steps) {
            log.println("training " + run + ": done");
            return;
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("out", run.toString());
        overrides.put("codes", codes.toString());
        overrides.put("val_codes", valCodes.toString());
        overrides.put("max_steps", Long.toString(steps));
        overrides.put("seed", Integer.toString(seed));
        overrides.put("resume", "true");
        GptTrainer.run(TrainConfig.fromYaml(YamlConfig.load(yaml), overrides), new TrainListener() { }, null);
    }

    /** Ten samples of every class, one class per row, from a run's model: a PNG for the results. */
    private static void writeClassGrid(Path run, Path png, VqModel tokenizer, double cfg, long seed, Device device,
                                       PrintWriter log) throws IOException {
        if (Files.isRegularFile(png)) {
            return;
        }
        GptLoader.Request request = GptLoader.Request.forSampling();
        try (GptModel model = GptLoader.load(run.resolve("model.safetensors"), request, device)) {
            int classes = model.config().numClasses();
            int perClass = 10;
            int[] labels = new int[classes * perClass];
            long[] indices = new long[labels.length];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i / perClass;
                indices[i] = i;
            }
            long[][] codes = new Sampler(model).sample(labels, indices, new SamplingOptions(cfg, -1, 1.0, 0, 1.0), seed);
            ImageGrid.write(png, GenerateCommand.decode(tokenizer, codes, model.config()), perClass,
                    ImageGrid.DEFAULT_PADDING);
        }
        log.println("class grid " + png + ": written");
    }

    private static long storedStep(Path model) throws IOException {
        JsonObject meta = org.mutor.common.format.Checkpoint.load(model).meta();
        return meta.has("step") ? meta.get("step").getAsLong() : -1;
    }

    private static JsonObject evaluate(Path run, VqModel tokenizer, Path reference, int samples, int perClass,
                                       double cfg, int batch, long seed, Device device, PrintWriter log)
            throws IOException {
        Path scoresFile = run.resolve("scores.json");
        if (Files.isRegularFile(scoresFile)) {
            log.println("evaluation " + run + ": done");
            return JsonParser.parseString(Files.readString(scoresFile)).getAsJsonObject();
        }
        GptLoader.Request request = GptLoader.Request.forSampling();
        JsonObject scores = new JsonObject();
        try (GptModel model = GptLoader.load(run.resolve("model.safetensors"), request, device);
             NDManager manager = NDManager.newBaseManager(device);
             FeatureExtractor classifier = FmnistExtractor.loadBundled(manager)) {
            SamplingOptions options = new SamplingOptions(cfg, -1, 1.0, 0, 1.0);
            Path samplesFile = run.resolve("samples.npz");
            if (!Files.isRegularFile(samplesFile)) {
                GenerateCommand.writeAdm(new Sampler(model), tokenizer, model.config(), options, seed, samples, batch,
                        32, samplesFile, log);
            }
            EvalResult result = Evaluator.evaluate(samplesFile, reference, EvalOptions.defaults().withFeatures("fmnist")
                    .withIsSplitSize(Math.max(1, samples / 10)));
            int[] agreed = AgreementCommand.measure(model, tokenizer, classifier, options, perClass, batch, seed, manager);
            scores.addProperty("fid", result.fid());
            scores.addProperty("is", result.inceptionScore());
            scores.addProperty("precision", result.precision());
            scores.addProperty("recall", result.recall());
            com.google.gson.JsonArray rates = new com.google.gson.JsonArray();
            double sum = 0;
            for (int a : agreed) {
                rates.add(a / (double) perClass);
                sum += a / (double) perClass;
            }
            scores.addProperty("agreement", sum / agreed.length);
            scores.add("agreement_per_class", rates);
        }
        AtomicFiles.writeBytes(scoresFile, (new GsonBuilder().setPrettyPrinting().create().toJson(scores) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        log.println(String.format(Locale.ROOT, "evaluation %s: FID %.3f, IS %.3f, agreement %.3f", run,
                scores.get("fid").getAsDouble(), scores.get("is").getAsDouble(), scores.get("agreement").getAsDouble()));
        return scores;
    }
}
