package org.mutor.common.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.format.numpy.NpyHeader;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the folder layout that {@link CodeShards} reads, one image at a time. Codes are
 * stored as int16 when the vocabulary fits (up to 32,768 codes), else int32. Each shard file is
 * written atomically when full; {@link #close} writes the last shard and then meta.json.
 */
public final class CodeShardWriter implements AutoCloseable {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private final Path dir;
    private final int gridHeight;
    private final int gridWidth;
    private final int vocabSize;
    private final int numClasses;
    private final int crops;
    private final int shardSize;
    private final DType dtype;
    private final int rowLength;
    private final ByteBuffer buffer;
    private final long[] labels;
    private final JsonArray shards = new JsonArray();
    private int inShard;
    private long count;
    private boolean closed;

    CodeShardWriter(Path dir, int gridHeight, int gridWidth, int vocabSize, int numClasses, int crops,
            int shardSize) throws IOException {
        if (gridHeight < 1 || gridWidth < 1 || vocabSize < 1 || numClasses < 1 || crops < 1 || shardSize < 1) {
            throw new IllegalArgumentException("grid " + gridHeight + "x" + gridWidth + ", vocabulary " + vocabSize
                    + ", classes " + numClasses + ", crops " + crops + " and shard size " + shardSize
                    + " must all be positive");
        }
        this.dir = dir;
        this.gridHeight = gridHeight;
        this.gridWidth = gridWidth;
        this.vocabSize = vocabSize;
        this.numClasses = numClasses;
        this.crops = crops;
        this.shardSize = shardSize;
        this.dtype = vocabSize <= 32768 ? DType.INT16 : DType.INT32;
        this.rowLength = crops * gridHeight * gridWidth;
        long bytes = (long) shardSize * rowLength * dtype.byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shard of " + shardSize + " images needs " + bytes
                    + " bytes, over the 2 GiB limit; use a smaller shard size");
        }
        this.buffer = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.labels = new long[shardSize];
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(CodeShards.META));
    }

    /**
     * Adds one image.
     *
     * @param codes {@code crops * h * w} codes: view 0 in raster order, then view 1, and so on
     * @param label class in [0, num_classes)
     */
    public void add(int[] codes, int label) throws IOException {
        if (closed) {
            throw new IllegalStateException("writer for " + dir + " is closed");
        }
        if (codes.length != rowLength) {
            throw new IllegalArgumentException("got " + codes.length + " codes per image, expected " + crops
                    + " views x " + gridHeight * gridWidth + " = " + rowLength);
        }
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("label " + label + " is outside [0, " + numClasses + ")");
        }
        for (int code : codes) {
            if (code < 0 || code >= vocabSize) {
                throw new IllegalArgumentException("code " + code + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            if (dtype == DType.INT16) {
                buffer.putShort((short) code);
            } else {
                buffer.putInt(code);
            }
        }
        labels[inShard++] = label;
        count++;
        if (inShard == shardSize) {
            flush();
        }
    }

    /**
     * Takes over the complete shards that an interrupted run left in the folder: the
     * consecutive pairs {@code codes-NNNNN.npy} and {@code labels-NNNNN.npy} from 00000 on
     * that hold a full shard of this writer's grid, views and code type. The first pair
     * that is missing or differs ends the scan; it and later files are overwritten as
     * writing continues.
     *
     * @return the number of images taken over, which the caller skips in its source
     */
    long adoptCompleteShards() throws IOException {
        if (count != 0 || !shards.isEmpty()) {
            throw new IllegalStateException("shards can only be taken over before the first add");
        }
        long[] codesShape = {shardSize, crops, (long) gridHeight * gridWidth};
        for (int s = 0; ; s++) {
            String index = String.format("%05d", s);
            Path codesFile = dir.resolve("codes-" + index + ".npy");
            Path labelsFile = dir.resolve("labels-" + index + ".npy");
            if (!Files.isRegularFile(codesFile) || !Files.isRegularFile(labelsFile)) {
                break;
            }
            NpyHeader c = Npy.readHeader(codesFile);
            NpyHeader l = Npy.readHeader(labelsFile);
            if (c.dtype() != dtype || !java.util.Arrays.equals(c.shape(), codesShape) || c.fortranOrder()
                    || !java.util.Arrays.equals(l.shape(), new long[] {shardSize})
                    || Files.size(codesFile) != c.dataOffset() + c.dataBytes()
                    || Files.size(labelsFile) != l.dataOffset() + l.dataBytes()) {
                break;
            }
            JsonObject shard = new JsonObject();
            shard.addProperty("codes", codesFile.getFileName().toString());
            shard.addProperty("labels", labelsFile.getFileName().toString());
            shard.addProperty("count", shardSize);
            shards.add(shard);
            count += shardSize;
        }
        return count;
    }

    /** Images added so far. */
    public long count() {
        return count;
    }

    private void flush() throws IOException {
        if (inShard == 0) {
            return;
        }
        String index = String.format("%05d", shards.size());
        String codesName = "codes-" + index + ".npy";
        String labelsName = "labels-" + index + ".npy";
        ByteBuffer data = ByteBuffer.wrap(buffer.array(), 0, buffer.position()).slice().order(ByteOrder.LITTLE_ENDIAN);
        Npy.write(dir.resolve(codesName), HostTensor.contiguous(codesName, dtype,
                new long[] {inShard, crops, (long) gridHeight * gridWidth}, data));
        Npy.write(dir.resolve(labelsName), HostTensor.ofLongs(new long[] {inShard},
                java.util.Arrays.copyOf(labels, inShard)));
        JsonObject shard = new JsonObject();
        shard.addProperty("codes", codesName);
        shard.addProperty("labels", labelsName);
        shard.addProperty("count", inShard);
        shards.add(shard);
        buffer.clear();
        inShard = 0;
    }

    /** Writes the last shard and meta.json, which marks the folder complete. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        JsonObject meta = new JsonObject();
        JsonArray grid = new JsonArray();
        grid.add(gridHeight);
        grid.add(gridWidth);
        meta.add("grid", grid);
        meta.addProperty("vocab_size", vocabSize);
        meta.addProperty("num_classes", numClasses);
        meta.addProperty("crops", crops);
        meta.addProperty("count", count);
        meta.add("shards", shards);
        AtomicFiles.writeBytes(dir.resolve(CodeShards.META), GSON.toJson(meta).getBytes(StandardCharsets.UTF_8));
    }
}
