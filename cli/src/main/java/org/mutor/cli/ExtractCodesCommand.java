package org.mutor.cli;

import ai.djl.Device;

import org.mutor.common.progress.Progress;
import org.mutor.tokenizer.VqModel;
import org.mutor.tokenizer.codes.CodeExtractor;
import org.mutor.tokenizer.codes.ImageSource;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mutor tokenizer extract-codes}: encodes a data set into code shards for GPT training. */
@Command(name = "extract-codes",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Encode a data set into code shards (codes and labels) that 'mutor' GPT training reads.",
            "DATA is fmnist (training split), fmnist:test, an image folder (class sub-folders) or a .tar archive. "
                    + "Images get the ADM centre crop (Fashion-MNIST: none); --flip adds the flipped view, "
                    + "--ten-crop takes LlamaGen's ten crops of the 1.1x crop.",
            "Resumable: a re-run into the same folder continues after the last complete shard. Unreadable "
                    + "images are skipped with a warning and counted in the summary."
        })
final class ExtractCodesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    VqOptions vq;

    @Option(names = "--data", required = true, paramLabel = "DATA", description = "fmnist, fmnist:test, a folder or a .tar.")
    String data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output shard folder.")
    Path out;

    @Option(names = "--image-size", defaultValue = "256", paramLabel = "PX",
            description = "Crop size (ignored for Fashion-MNIST, which is 32). Default: ${DEFAULT-VALUE}.")
    int imageSize;

    @Option(names = "--ten-crop", description = "Store LlamaGen's ten crops per image.")
    boolean tenCrop;

    @Option(names = "--flip", description = "Store the horizontal flip as a second view.")
    boolean flip;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Encode at most N images; 0 encodes all. Default: ${DEFAULT-VALUE}.")
    long limit;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "B",
            description = "Images per batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--shard-size", defaultValue = "10000", paramLabel = "N",
            description = "Images per shard file. Default: ${DEFAULT-VALUE}.")
    int shardSize;

    @Option(names = "--no-progress", description = "No progress line.")
    boolean noProgress;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        if (vq.vq == null) {
            throw new ParameterException(spec.commandLine(), "missing --vq CKPT");
        }
        if (limit < 0 || batchSize < 1 || shardSize < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be >= 0 and --batch-size and --shard-size "
                    + "positive");
        }
        CodeExtractor.Options options = new CodeExtractor.Options(imageSize, tenCrop, flip, batchSize, limit,
                shardSize, vq.vq.toAbsolutePath().normalize() + " (" + Files.size(vq.vq) + " bytes)");
        Device device = common.startEngine();
        try (VqModel model = vq.load(device); ImageSource source = ImageSource.open(data)) {
            long total = source.total();
            if (limit > 0 && total > 0) {
                total = Math.min(limit, total);
            }
            CodeExtractor.Summary s;
            try (Progress progress = noProgress ? null : Progress.start("extract", total)) {
                s = CodeExtractor.extract(model, source, out, options, progress);
            }
            long encoded = s.written() - s.kept();
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d images x %d view(s) (%d kept from an "
                    + "earlier run, %d encoded at %.1f images/s), %d unreadable image(s) skipped%n", out, s.written(),
                    options.views(), s.kept(), encoded, encoded / Math.max(1e-9, s.seconds()), s.skipped());
        }
        return ExitCodes.OK;
    }
}
