package org.mutor.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.format.numpy.Npy;
import org.mutor.common.image.ImageBatches;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.ImageGrid;
import org.mutor.common.image.RgbImage;
import org.mutor.common.tensor.HostTensor;
import org.mutor.tokenizer.VqMetrics;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mutor tokenizer encode}, {@code decode} and {@code reconstruct}. */
final class TokenizerCodecCommands {

    private TokenizerCodecCommands() {
    }

    /** Options every codec command shares. */
    static final class Shared {

        @Mixin
        VqOptions vq;

        @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B",
                description = "Images per batch; results do not depend on it. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Mixin
        CommonOptions common;

        VqModel load(CommandSpec spec) throws IOException {
            if (vq.vq == null) {
                throw new ParameterException(spec.commandLine(), "missing --vq CKPT");
            }
            if (batchSize < 1) {
                throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, not " + batchSize);
            }
            Device device = common.startEngine();
            return vq.load(device);
        }
    }

    /** Image input of encode and reconstruct: the path and the crop size of image files. */
    static final class ImageInput {

        @Option(names = "--in", required = true, paramLabel = "INPUT", description = "Image, folder or .npy array.")
        Path in;

        @Option(names = "--image-size", defaultValue = "256", paramLabel = "PX",
                description = "Crop size of image inputs. Default: ${DEFAULT-VALUE}.")
        int imageSize;

        TokenizerInputs.Images read() throws IOException {
            return TokenizerInputs.read(in, imageSize);
        }
    }

    /** {@code mutor tokenizer encode}. */
    @Command(name = "encode",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Encode images to codes, int64 [B, h, w] in a .npy file.",
                "INPUT is an image, a folder of images (sorted by name; unreadable ones are skipped with a warning) "
                        + "or a .npy float32 array [B, 3, H, W] in [-1, 1]. Images are ADM-centre-cropped to "
                        + "--image-size; arrays are used as they are."
            })
    static final class Encode implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Shared shared;

        @Mixin
        ImageInput input;

        @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Output codes.")
        Path out;

        @Override
        public Integer call() throws Exception {
            TokenizerInputs.Images images = input.read();
            try (VqModel model = shared.load(spec); NDManager m = model.manager().newSubManager()) {
                images.checkFits(model.config().downsampleFactor());
                List<long[]> parts = new ArrayList<>();
                long[] grid = null;
                for (int s = 0; s < images.count(); s += shared.batchSize) {
                    try (NDManager batch = m.newSubManager()) {
                        NDArray codes = model.encode(images.batch(batch, s, Math.min(images.count(),
                                s + shared.batchSize)));                              // [b, h, w]
                        grid = codes.getShape().getShape();
                        parts.add(codes.toLongArray());
                    }
                }
                long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
                long[] shape = {images.count(), grid[1], grid[2]};
                Npy.write(out, HostTensor.ofLongs(shape, all));
                printSkipped(spec, images);
                spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: codes %s of %d images%n", out,
                        Arrays.toString(shape), images.count());
            }
            return ExitCodes.OK;
        }
    }

    /** {@code mutor tokenizer decode}. */
    @Command(name = "decode",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Decode codes to images. codes.npy holds integer codes [B, h, w], or [B, h*w] for a square grid.",
                "OUT is a .npy file (float32 [B, 3, H, W] in [-1, 1]), a .png file (a grid), or a folder "
                        + "(one PNG per image)."
            })
    static final class Decode implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Shared shared;

        @Option(names = "--in", required = true, paramLabel = "codes.npy", description = "Input codes.")
        Path in;

        @Option(names = "--out", required = true, paramLabel = "OUT", description = "A .npy, a .png or a folder.")
        Path out;

        @Override
        public Integer call() throws Exception {
            HostTensor codes = TokenizerInputs.readCodes(in);
            long[] shape = codes.shape();
            long[] values = codes.toLongArray();
            try (VqModel model = shared.load(spec); NDManager m = model.manager().newSubManager()) {
                int size = model.config().codebookSize();
                for (long v : values) {
                    if (v < 0 || v >= size) {
                        throw new IllegalArgumentException(in + " holds code " + v + ", outside this tokenizer's "
                                + "codebook 0-" + (size - 1));
                    }
                }
                int count = (int) shape[0];
                int perImage = (int) (shape[1] * shape[2]);
                List<float[]> parts = new ArrayList<>();
                long[] imageShape = null;
                for (int s = 0; s < count; s += shared.batchSize) {
                    int e = Math.min(count, s + shared.batchSize);
                    try (NDManager batch = m.newSubManager()) {
                        NDArray ids = batch.create(Arrays.copyOfRange(values, s * perImage, e * perImage),
                                new Shape(e - s, shape[1], shape[2]));
                        NDArray images = model.decode(ids);                          // [b, 3, H, W]
                        imageShape = images.getShape().getShape();
                        parts.add(images.toFloatArray());
                    }
                }
                int total = parts.stream().mapToInt(p -> p.length).sum();
                float[] all = new float[total];
                int at = 0;
                for (float[] p : parts) {
                    System.arraycopy(p, 0, all, at, p.length);
                    at += p.length;
                }
                long[] outShape = {count, 3, imageShape[2], imageShape[3]};
                String written = TokenizerInputs.writeImages(out, all, outShape);
                spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d images of %dx%d%n", written, count,
                        outShape[3], outShape[2]);
            }
            return ExitCodes.OK;
        }
    }

    /** {@code mutor tokenizer reconstruct}. */
    @Command(name = "reconstruct",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Encode and decode images, write the reconstructions and print their PSNR (pixels in [0, 1]).",
                "INPUT is an image, a folder or a .npy array, as for encode; OUT is a .png grid (originals above "
                        + "reconstructions) or a folder (one PNG per reconstruction)."
            })
    static final class Reconstruct implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Shared shared;

        @Mixin
        ImageInput input;

        @Option(names = "--out", required = true, paramLabel = "OUT", description = "A .png grid or a folder.")
        Path out;

        @Override
        public Integer call() throws Exception {
            TokenizerInputs.Images images = input.read();
            List<RgbImage> originals = new ArrayList<>();
            List<RgbImage> rebuilt = new ArrayList<>();
            try (VqModel model = shared.load(spec); NDManager m = model.manager().newSubManager()) {
                images.checkFits(model.config().downsampleFactor());
                for (int s = 0; s < images.count(); s += shared.batchSize) {
                    try (NDManager batch = m.newSubManager()) {
                        NDArray x = images.batch(batch, s, Math.min(images.count(), s + shared.batchSize));
                        originals.addAll(ImageBatches.fromBatch(x));
                        rebuilt.addAll(ImageBatches.fromBatch(model.reconstruct(x)));
                    }
                }
            }
            double psnr = 0;
            for (int i = 0; i < originals.size(); i++) {
                psnr += VqMetrics.psnr(originals.get(i), rebuilt.get(i));
            }
            psnr /= originals.size();
            if (out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                int columns = Math.min(8, originals.size());
                List<RgbImage> cells = new ArrayList<>();
                for (int s = 0; s < originals.size(); s += columns) {
                    int e = Math.min(originals.size(), s + columns);
                    cells.addAll(padRow(originals.subList(s, e), columns));
                    cells.addAll(padRow(rebuilt.subList(s, e), columns));
                }
                ImageGrid.write(out, cells, columns, ImageGrid.DEFAULT_PADDING);
            } else {
                Files.createDirectories(out);
                for (int i = 0; i < rebuilt.size(); i++) {
                    ImageFiles.write(out.resolve(String.format("%05d.png", i)), rebuilt.get(i));
                }
            }
            printSkipped(spec, images);
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d reconstructions; PSNR %.2f dB%n", out,
                    rebuilt.size(), psnr);
            return ExitCodes.OK;
        }

        private static List<RgbImage> padRow(List<RgbImage> row, int columns) {
            List<RgbImage> out = new ArrayList<>(row);
            while (out.size() < columns) {
                out.add(RgbImage.black(row.get(0).width(), row.get(0).height()));
            }
            return out;
        }
    }

    private static void printSkipped(CommandSpec spec, TokenizerInputs.Images images) {
        if (images.skipped() > 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("mutor: skipped " + images.skipped() + " unreadable image(s): "
                    + String.join(", ", images.skippedNames()));
            err.flush();
        }
    }
}
