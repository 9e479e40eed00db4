package org.mutor.tokenizer.codes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.mutor.common.data.CodeShardWriter;
import org.mutor.common.data.CodeShards;
import org.mutor.common.data.LabeledImage;
import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.FormatException;
import org.mutor.common.image.CenterCrops;
import org.mutor.common.image.ImageBatches;
import org.mutor.common.image.RgbImage;
import org.mutor.common.progress.Progress;
import org.mutor.tokenizer.VqModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a data set into the code shards that the GPT trainer reads ({@link CodeShards}),
 * in batches, resumably: a re-run into the same folder keeps the complete shards and
 * continues after the last of them. {@code extraction.json} records the settings, so a
 * re-run with another tokenizer or other views is refused instead of mixing codes.
 *
 * <p>Views per image: Fashion-MNIST images are used as they are (32x32, never cropped);
 * other images get the ADM centre crop, or with ten-crop LlamaGen's extraction: the ADM
 * crop at 1.1x the size, then torchvision's ten crops. A horizontal flip adds a second view
 * (not with ten-crop, whose last five crops are flipped already).
 */
public final class CodeExtractor {

    /** Name of the settings file inside the output folder. */
    public static final String SETTINGS = "extraction.json";

    /**
     * Extraction settings.
     *
     * @param imageSize side of the square crops (ignored for Fashion-MNIST, which is 32)
     * @param tenCrop ten views per image, LlamaGen's extraction
     * @param flip add the horizontal flip as a second view
     * @param batchSize images encoded together
     * @param limit most images to write, 0 for all
     * @param shardSize images per shard file
     * @param tokenizer text that identifies the tokenizer (for example its file and size)
     */
    public record Options(int imageSize, boolean tenCrop, boolean flip, int batchSize, long limit, int shardSize,
                          String tokenizer) {

        public Options {
            if (imageSize < 1 || batchSize < 1 || limit < 0 || shardSize < 1) {
                throw new IllegalArgumentException("image size " + imageSize + ", batch size " + batchSize
                        + " and shard size " + shardSize + " must be positive and the limit " + limit + " >= 0");
            }
            if (tenCrop && flip) {
                throw new IllegalArgumentException("invalid options: give ten-crop or flip, not both, because ten-crop "
                        + "already contains five flipped views");
            }
        }

        /** Views stored per image. */
        public int views() {
            if (tenCrop) {
                return 10;
            }
            return flip ? 2 : 1;
        }
    }

    /**
     * Outcome of an extraction.
     *
     * @param written images in the folder now, those kept from an earlier run included
     * @param kept images kept from an earlier run
     * @param skipped unreadable images skipped
     * @param seconds wall time
     */
    public record Summary(long written, long kept, long skipped, double seconds) {
    }

    private CodeExtractor() {
    }

    /**
     * Runs the extraction into {@code dir}.
     *
     * @param progress receives one step per image written, or null
     * @throws FormatException when the folder contains an extraction with other settings
     */
    public static Summary extract(VqModel model, ImageSource source, Path dir, Options options, Progress progress)
            throws IOException {
        long start = System.nanoTime();
        int size = source.fashionMnist() ? -1 : options.imageSize();
        if (source.fashionMnist() && options.tenCrop()) {
            throw new IllegalArgumentException("ten-crop does not apply to Fashion-MNIST, whose 32x32 images are "
                    + "not cropped; drop --ten-crop (--flip adds a flipped view)");
        }
        int factor = model.config().downsampleFactor();
        int side = size < 0 ? 32 : size;
        if (side % factor != 0) {
            throw new IllegalArgumentException("image size " + side + " is not a multiple of the tokenizer's "
                    + "downsampling factor " + factor);
        }
        int grid = side / factor;
        checkSettings(dir, settings(source, options, side));
        CodeShardWriter writer = CodeShards.resumeWriter(dir, grid, grid, model.config().codebookSize(),
                source.numClasses(), options.views(), options.shardSize());
        long kept = writer.count();
        long target = options.limit() > 0 ? options.limit() : Long.MAX_VALUE;
        try (writer) {
            for (long i = 0; i < kept && source.hasNext(); i++) {
                source.next();
            }
            if (progress != null && kept > 0) {
                progress.setExtraMessage("kept " + kept + " from an earlier run");
            }
            List<LabeledImage> batch = new ArrayList<>(options.batchSize());
            while (writer.count() + batch.size() < target && source.hasNext()) {
                batch.add(source.next());
                if (batch.size() == options.batchSize()) {
                    encodeBatch(model, batch, source.fashionMnist(), options, writer);
                    report(progress, batch.size(), source.skipped());
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                encodeBatch(model, batch, source.fashionMnist(), options, writer);
                report(progress, batch.size(), source.skipped());
            }
        }
        return new Summary(writer.count(), kept, source.skipped(), (System.nanoTime() - start) / 1e9);
    }

    private static void report(Progress progress, int n, long skipped) {
        if (progress != null) {
            progress.setExtraMessage(skipped > 0 ? "skipped " + skipped + " unreadable" : null);
            progress.step(n);
        }
    }

    /** Views of one image, in the stored order. */
    static List<RgbImage> views(RgbImage image, boolean fashionMnist, Options options) {
        if (options.tenCrop()) {
            return CenterCrops.tenCrop(CenterCrops.admForExtraction(image, options.imageSize()), options.imageSize());
        }
        RgbImage base = fashionMnist ? image : CenterCrops.adm(image, options.imageSize());
        return options.flip() ? List.of(base, CenterCrops.flipHorizontal(base)) : List.of(base);
    }

    /** Encodes the views of a batch and adds each image's codes, views in order, to the writer. */
    private static void encodeBatch(VqModel model, List<LabeledImage> batch, boolean fashionMnist, Options options,
            CodeShardWriter writer) throws IOException {
        List<RgbImage> all = new ArrayList<>();
        for (LabeledImage item : batch) {
            all.addAll(views(item.image(), fashionMnist, options));
        }
        long[] codes;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = ImageBatches.toBatch(m, all);                               // [B * K, 3, H, W]
            codes = model.encode(x).toLongArray();                                 // [B * K, h, w]
        } finally {
            JniUtils.setGradMode(grad);
        }
        int perImage = codes.length / batch.size();
        for (int b = 0; b < batch.size(); b++) {
            int[] row = new int[perImage];
            for (int t = 0; t < perImage; t++) {
                row[t] = (int) codes[b * perImage + t];
            }
            writer.add(row, batch.get(b).label());
        }
    }

    private static JsonObject settings(ImageSource source, Options options, int side) {
        JsonObject json = new JsonObject();
        json.addProperty("data", source.description());
        json.addProperty("image_size", side);
        json.addProperty("views", options.views());
        json.addProperty("ten_crop", options.tenCrop());
        json.addProperty("tokenizer", options.tokenizer());
        return json;
    }

    /** Rejects a folder whose earlier extraction used other settings; records the settings otherwise. */
    private static void checkSettings(Path dir, JsonObject settings) throws IOException {
        Path file = dir.resolve(SETTINGS);
        if (Files.isRegularFile(file)) {
            JsonObject previous;
            try {
                previous = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new FormatException(file + ": is not a valid settings file (" + e.getMessage()
                        + "); delete the folder to start over");
            }
            if (!previous.equals(settings)) {
                throw new FormatException(dir + ": contains an extraction with other settings " + previous
                        + " than this one " + settings + "; use another --out folder or delete it");
            }
            return;
        }
        Files.createDirectories(dir);
        AtomicFiles.writeBytes(file, settings.toString().getBytes(StandardCharsets.UTF_8));
    }
}
