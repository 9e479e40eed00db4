package org.mutor.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.format.numpy.Npy;
import org.mutor.common.image.ImageBatches;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.ImageGrid;
import org.mutor.common.image.RgbImage;
import org.mutor.common.progress.Progress;
import org.mutor.common.tensor.HostTensor;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.models.ModelHome;
import org.mutor.generator.sample.AdmSampleFile;
import org.mutor.generator.sample.Sampler;
import org.mutor.generator.sample.SamplingOptions;
import org.mutor.tokenizer.VqModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code mutor generate}: class-conditional sampling to PNGs, codes or an ADM sample file. */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Sample images of the given classes with a GPT and decode them with a VQ tokenizer.",
            "Without --gpt and --vq it uses the bundled default model, or LlamaGen's official ImageNet files "
                    + "in $MUTOR_HOME (default ~/.cache/mutor). With --gpt alone it writes codes only (--codes-out).",
            "With --num-samples N --out samples.npz it writes the ADM evaluator's sample file (uniformly random "
                    + "classes, streamed and resumable)."
        })
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--class", paramLabel = "C", description = "Class to sample.")
    Integer classId;

    @Option(names = "--classes", split = ",", paramLabel = "C1,C2,...",
            description = "Classes to sample; output rows follow this order.")
    int[] classList;

    @Option(names = "--per-class", defaultValue = "8", paramLabel = "N",
            description = "Samples per class. Default: ${DEFAULT-VALUE}.")
    int perClass;

    @Option(names = "--num-samples", paramLabel = "N",
            description = "Write N samples of uniformly random classes to an ADM .npz file given by --out.")
    Integer numSamples;

    @Mixin
    GptOptions gpt;

    @Mixin
    VqOptions vq;

    @Option(names = "--cfg", paramLabel = "SCALE",
            description = "Classifier-free guidance scale; 1 turns guidance off. Default: the model's recommended "
                    + "value, else 2.0.")
    Double cfg;

    @Option(names = "--cfg-interval", defaultValue = "-1", paramLabel = "STEPS",
            description = "Use guidance for this many steps only; -1 keeps it throughout. Default: ${DEFAULT-VALUE}.")
    int cfgInterval;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K",
            description = "Keep the K most likely tokens; 0 keeps all. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P",
            description = "Nucleus sampling mass; 1 keeps all. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "B",
            description = "Samples per batch; results do not depend on it. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--out", paramLabel = "FILE.png|DIR|FILE.npz",
            description = "A .png gets the grid (samples go to a folder of the same name); a folder gets one PNG "
                    + "per sample and grid.png; an .npz with --num-samples gets the ADM sample file.")
    Path out;

    @Option(names = "--codes-out", paramLabel = "FILE.npy", description = "Also write the codes, int64 [rows, block_size].")
    Path codesOut;

    @Option(names = "--eval-size", defaultValue = "256", paramLabel = "PX",
            description = "Image size of the ADM sample file; larger outputs are resized with PyTorch's bicubic. "
                    + "Default: ${DEFAULT-VALUE}.")
    int evalSize;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        validate();
        Device device = common.startEngine();
        ResolvedModels models = ResolvedModels.resolve(gpt, vq, requestedClasses(), device);
        try (GptModel model = models.gpt(); VqModel tokenizer = models.vq()) {
            GptConfig config = model.config();
            double scale = cfg != null ? cfg : models.recommendedCfg();
            SamplingOptions options = new SamplingOptions(scale, cfgInterval, temperature, topK, topP);
            Sampler sampler = new Sampler(model);
            if (numSamples != null) {
                return writeAdmFile(sampler, tokenizer, config, options);
            }
            int[] rows = rowClasses();
            for (int c : rows) {
                if (c < 0 || c >= config.numClasses()) {
                    throw new IllegalArgumentException("class " + c + " is outside this model's range 0-"
                            + (config.numClasses() - 1));
                }
            }
            long[][] codes = new long[rows.length][];
            List<RgbImage> images = new ArrayList<>();
            try (Progress progress = Progress.start("generate", rows.length)) {
                for (int start = 0; start < rows.length; start += batchSize) {
                    int n = Math.min(batchSize, rows.length - start);
                    int[] labels = new int[n];
                    long[] indices = new long[n];
                    for (int i = 0; i < n; i++) {
                        labels[i] = rows[start + i];
                        indices[i] = start + i;
                    }
                    long[][] batch = sampler.sample(labels, indices, options, common.seed);
                    System.arraycopy(batch, 0, codes, start, n);
                    if (tokenizer != null) {
                        images.addAll(decode(tokenizer, batch, config));
                    }
                    progress.step(n);
                }
            }
            PrintWriter stdout = spec.commandLine().getOut();
            if (codesOut != null) {
                Npy.write(codesOut, HostTensor.ofLongs(new long[] {rows.length, config.blockSize()}, flatten(codes)));
                stdout.println("wrote codes " + codesOut);
            }
            if (tokenizer != null) {
                writeImages(images, rows, stdout);
            }
            stdout.flush();
        }
        return ExitCodes.OK;
    }

    private void validate() {
        if (numSamples == null && classId == null && classList == null) {
            throw usage("give --class C or --classes C1,C2,... (or --num-samples N for an ADM sample file)");
        }
        if (classId != null && classList != null) {
            throw usage("give --class or --classes, not both");
        }
        if (perClass < 1 || batchSize < 1) {
            throw usage("--per-class and --batch-size must be at least 1");
        }
        if (gpt.gpt == null && vq.vq != null) {
            throw usage("--vq needs --gpt as well");
        }
        if (gpt.gpt != null && vq.vq == null && codesOut == null) {
            throw usage("with --gpt but no --vq only codes can be written: give --codes-out FILE.npy (or add --vq CKPT)");
        }
        if (numSamples != null) {
            if (numSamples < 1) {
                throw usage("--num-samples must be at least 1");
            }
            if (out == null || !out.toString().endsWith(".npz")) {
                throw usage("--num-samples writes an ADM sample file: give --out samples.npz");
            }
        } else if (out == null && codesOut == null) {
            throw usage("missing --out FILE.png or DIR");
        }
    }

    private int[] requestedClasses() {
        if (classList != null) {
            return classList.clone();
        }
        return classId != null ? new int[] {classId} : new int[0];
    }

    private int[] rowClasses() {
        int[] classes = requestedClasses();
        int[] rows = new int[classes.length * perClass];
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < perClass; i++) {
                rows[c * perClass + i] = classes[c];
            }
        }
        return rows;
    }

    static List<RgbImage> decode(VqModel tokenizer, long[][] batch, GptConfig config) {
        int grid = config.gridSize();
        try (NDManager m = tokenizer.manager().newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray codes = m.create(flatten(batch), new Shape(batch.length, grid, grid));
            return ImageBatches.fromBatch(tokenizer.decode(codes));
        }
    }

    private void writeImages(List<RgbImage> images, int[] rows, PrintWriter stdout) throws IOException {
        boolean single = out.toString().toLowerCase(Locale.ROOT).endsWith(".png");
        Path folder = single ? out.resolveSibling(out.getFileName().toString().replaceAll("(?i)\\.png$", "")) : out;
        Files.createDirectories(folder);
        for (int i = 0; i < images.size(); i++) {
            ImageFiles.write(folder.resolve(String.format("%05d-class%d.png", i, rows[i])), images.get(i));
        }
        Path grid = single ? out : out.resolve("grid.png");
        int columns = classList != null || classId != null ? perClass : (int) Math.ceil(Math.sqrt(images.size()));
        ImageGrid.write(grid, images, columns, 2);
        stdout.println("wrote " + grid + " (" + images.size() + " samples; one PNG per sample in " + folder + ")");
    }

    private int writeAdmFile(Sampler sampler, VqModel tokenizer, GptConfig config, SamplingOptions options)
            throws IOException {
        if (tokenizer == null) {
            throw usage("an ADM sample file needs images: add --vq CKPT");
        }
        writeAdm(sampler, tokenizer, config, options, common.seed, numSamples, batchSize, evalSize, out,
                spec.commandLine().getErr());
        spec.commandLine().getOut().println("wrote " + out + " (arr_0 uint8 [" + numSamples + ", " + evalSize + ", "
                + evalSize + ", 3])");
        return ExitCodes.OK;
    }

    /**
     * Writes an ADM sample file of {@code count} samples with uniformly random classes,
     * resuming from the parts an interrupted run left behind.
     */
    static void writeAdm(Sampler sampler, VqModel tokenizer, GptConfig config, SamplingOptions options, long seed,
                         long count, int batchSize, int evalSize, Path out, PrintWriter err) throws IOException {
        AdmSampleFile file = new AdmSampleFile(out);
        long done = file.completedSamples();
        int part = file.partCount();
        if (done > 0) {
            err.println("resuming " + out + " at sample " + done + " of " + count);
        }
        try (Progress progress = Progress.start("samples", done, count)) {
            for (long start = done; start < count; start += batchSize) {
                int n = (int) Math.min(batchSize, count - start);
                int[] labels = new int[n];
                long[] indices = new long[n];
                for (int i = 0; i < n; i++) {
                    indices[i] = start + i;
                    labels[i] = randomClass(seed, start + i, config.numClasses());
                }
                long[][] batch = sampler.sample(labels, indices, options, seed);
                int grid = config.gridSize();
                try (NDManager m = tokenizer.manager().newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray decoded = tokenizer.decode(m.create(flatten(batch), new Shape(n, grid, grid)));
                    file.writePart(part++, AdmSampleFile.toUint8(decoded, evalSize));
                }
                progress.step(n);
            }
        }
        file.assemble(count);
    }

    /** Class of ADM sample {@code index}: uniform, from its own stream, so it survives interruption and resume. */
    static int randomClass(long seed, long index, int numClasses) {
        return new SplittableRandom(Sampler.streamSeed(seed ^ 0x5DEECE66DL, index)).nextInt(numClasses);
    }

    private static long[] flatten(long[][] rows) {
        int width = rows[0].length;
        long[] flat = new long[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
