package org.mutor.common.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Image-token codes of a data set, as written by the tokenizer and read by the GPT trainer:
 * a folder holding {@code meta.json} and pairs of NumPy shards.
 *
 * <pre>
 * meta.json          {"grid": [h, w], "vocab_size": V, "num_classes": C, "crops": K, "count": N,
 *                     "shards": [{"codes": "codes-00000.npy", "labels": "labels-00000.npy", "count": n}, ...]}
 * codes-00000.npy    int16, int32 or int64 [n, K, h*w]: K augmented views per image, raster order
 * labels-00000.npy   int64 [n]: class of each image, in [0, C)
 * </pre>
 *
 * K is the number of views stored per image: 1 (one centre crop), 2 (crop and its horizontal
 * flip) or 10 (ten-crop). A trainer picks one view per use. {@code meta.json} is written last,
 * so a folder without it is an unfinished extraction. Shard files are memory-mapped on read.
 */
public final class CodeShards {

    /** Name of the description file inside the folder. */
    public static final String META = "meta.json";

    private final Path dir;
    private final int gridHeight;
    private final int gridWidth;
    private final int vocabSize;
    private final int numClasses;
    private final int crops;
    private final List<HostTensor> codes = new ArrayList<>();
    private final List<long[]> labels = new ArrayList<>();
    private final int[] starts;
    private final int count;

    private CodeShards(Path dir, JsonObject meta) throws IOException {
        this.dir = dir;
        try {
            JsonArray grid = meta.getAsJsonArray("grid");
            gridHeight = grid.get(0).getAsInt();
            gridWidth = grid.get(1).getAsInt();
            vocabSize = meta.get("vocab_size").getAsInt();
            numClasses = meta.get("num_classes").getAsInt();
            crops = meta.get("crops").getAsInt();
            JsonArray shards = meta.getAsJsonArray("shards");
            starts = new int[shards.size() + 1];
            for (int s = 0; s < shards.size(); s++) {
                JsonObject shard = shards.get(s).getAsJsonObject();
                readShard(shard.get("codes").getAsString(), shard.get("labels").getAsString(),
                        shard.get("count").getAsInt());
                starts[s + 1] = starts[s] + labels.get(s).length;
            }
            count = starts[shards.size()];
            if (meta.get("count").getAsInt() != count) {
                throw new FormatException(dir.resolve(META) + ": count " + meta.get("count").getAsInt()
                        + " differs from the " + count + " images in the shards; re-run the extraction");
            }
        } catch (NullPointerException | ClassCastException | IllegalStateException | IndexOutOfBoundsException
                 | NumberFormatException e) {
            throw new FormatException(dir.resolve(META) + ": lacks or mangles a field (" + e.getMessage()
                    + "); expected grid, vocab_size, num_classes, crops, count and shards", e);
        }
        if (gridHeight < 1 || gridWidth < 1 || vocabSize < 1 || numClasses < 1 || crops < 1) {
            throw new FormatException(dir.resolve(META) + ": grid, vocab_size, num_classes and crops must be positive");
        }
    }

    private void readShard(String codesName, String labelsName, int n) throws IOException {
        HostTensor c = Npy.read(dir.resolve(codesName));
        HostTensor l = Npy.read(dir.resolve(labelsName));
        long[] want = {n, crops, (long) gridHeight * gridWidth};
        if (!java.util.Arrays.equals(c.shape(), want) || !c.isContiguous()) {
            throw new FormatException(dir.resolve(codesName) + ": shape " + java.util.Arrays.toString(c.shape())
                    + ", expected C-order " + java.util.Arrays.toString(want) + " from meta.json");
        }
        if (c.dtype() != DType.INT16 && c.dtype() != DType.INT32 && c.dtype() != DType.INT64) {
            throw new FormatException(dir.resolve(codesName) + ": dtype " + c.dtype()
                    + " is not an integer type; write int16, int32 or int64");
        }
        if (l.shape().length != 1 || l.shape()[0] != n) {
            throw new FormatException(dir.resolve(labelsName) + ": shape " + java.util.Arrays.toString(l.shape())
                    + ", expected [" + n + "]");
        }
        long[] values = l.toLongArray();
        for (long v : values) {
            if (v < 0 || v >= numClasses) {
                throw new FormatException(dir.resolve(labelsName) + ": label " + v + " is outside [0, "
                        + numClasses + ")");
            }
        }
        codes.add(c);
        labels.add(values);
    }

    /**
     * Opens a folder written by {@link #writer}.
     *
     * @throws FormatException when meta.json or a shard is missing or inconsistent
     */
    public static CodeShards open(Path dir) throws IOException {
        Path meta = dir.resolve(META);
        if (!Files.isRegularFile(meta)) {
            throw new NoSuchFileException(meta.toString(), null,
                    "no meta.json: not a code folder, or the extraction has not finished");
        }
        JsonElement json;
        try {
            json = JsonParser.parseString(Files.readString(meta));
        } catch (JsonParseException e) {
            throw new FormatException(meta + ": is not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!json.isJsonObject()) {
            throw new FormatException(meta + ": contains no JSON object");
        }
        return new CodeShards(dir, json.getAsJsonObject());
    }

    /**
     * Starts writing a folder (created if needed); {@link CodeShardWriter#close} writes meta.json.
     *
     * @param shardSize images per shard file
     */
    public static CodeShardWriter writer(Path dir, int gridHeight, int gridWidth, int vocabSize, int numClasses,
            int crops, int shardSize) throws IOException {
        return new CodeShardWriter(dir, gridHeight, gridWidth, vocabSize, numClasses, crops, shardSize);
    }

    /**
     * Continues an interrupted extraction into {@code dir}: like {@link #writer}, but the
     * complete shards already there (full shards of the same grid, views and code type, see
     * {@link CodeShardWriter#count}) are kept, so a re-run goes on after the last of them.
     * The caller skips {@code count()} images of its source before adding.
     */
    public static CodeShardWriter resumeWriter(Path dir, int gridHeight, int gridWidth, int vocabSize,
            int numClasses, int crops, int shardSize) throws IOException {
        CodeShardWriter writer = new CodeShardWriter(dir, gridHeight, gridWidth, vocabSize, numClasses, crops,
                shardSize);
        writer.adoptCompleteShards();
        return writer;
    }

    /** Number of images. */
    public int size() {
        return count;
    }

    public int gridHeight() {
        return gridHeight;
    }

    public int gridWidth() {
        return gridWidth;
    }

    /** Codes per view, {@code h * w}. */
    public int tokens() {
        return gridHeight * gridWidth;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Views stored per image. */
    public int crops() {
        return crops;
    }

    /** Class of image {@code index}. */
    public int label(int index) {
        int s = shard(index);
        return (int) labels.get(s)[index - starts[s]];
    }

    /**
     * Codes {@code [h * w]} of view {@code view} of image {@code index}, in raster order.
     *
     * @throws FormatException when a stored code lies outside the vocabulary
     */
    public int[] codes(int index, int view) throws FormatException {
        if (view < 0 || view >= crops) {
            throw new IndexOutOfBoundsException("view " + view + " of " + crops + " stored per image");
        }
        int s = shard(index);
        HostTensor row = codes.get(s).narrow(0, index - starts[s], 1).narrow(1, view, 1);
        ByteBuffer bytes = row.contiguousBytes();
        int n = tokens();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = switch (row.dtype()) {
                case INT16 -> bytes.getShort(2 * i);
                case INT32 -> bytes.getInt(4 * i);
                default -> bytes.getLong(8 * i);
            };
            if (v < 0 || v >= vocabSize) {
                throw new FormatException(dir + ": code " + v + " of image " + index + " is outside the vocabulary [0, "
                        + vocabSize + ")");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private int shard(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("image " + index + " of " + count);
        }
        int pos = java.util.Arrays.binarySearch(starts, index);
        // Exact hits name a shard start; with empty shards, move to the last shard starting there.
        if (pos >= 0) {
            while (pos + 1 < starts.length - 1 && starts[pos + 1] == index) {
                pos++;
            }
            return pos;
        }
        return -pos - 2;
    }
}
