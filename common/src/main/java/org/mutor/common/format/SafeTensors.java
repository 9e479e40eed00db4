package org.mutor.common.format;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a
 * JSON header mapping each name to {dtype, shape, data_offsets}, an optional
 * "__metadata__" map of strings, then the raw little-endian data.
 *
 * <p>Reading memory-maps the data, so a file larger than the heap loads lazily;
 * bfloat16 stays bfloat16 on the host and is widened when copied into the engine.
 */
public final class SafeTensors {

    /** Header length above which a file is rejected as corrupt (the format's own limit is 100 MB). */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private SafeTensors() {
    }

    /** Tensors of a safetensors file in header order, with the file's metadata. */
    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {
    }

    /**
     * Reads a safetensors file, memory-mapping its data.
     *
     * @throws FormatException when the header is malformed or a tensor lies outside the data
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new FormatException(file + ": too short for a safetensors file (" + fileSize + " bytes)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > fileSize) {
                throw new FormatException(file + ": invalid safetensors header length " + headerLength
                        + " for a file of " + fileSize + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(headerBytes.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new FormatException(file + ": safetensors header is not a JSON object: " + e.getMessage());
            }
            long dataStart = 8 + headerLength;
            long dataLength = fileSize - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
                String name = entry.getKey();
                if (name.equals("__metadata__")) {
                    try {
                        for (Map.Entry<String, JsonElement> m : entry.getValue().getAsJsonObject().entrySet()) {
                            metadata.put(m.getKey(), m.getValue().getAsString());
                        }
                    } catch (RuntimeException e) {
                        throw new FormatException(file + ": safetensors __metadata__ must map strings to strings: "
                                + e.getMessage());
                    }
                    continue;
                }
                tensors.put(name, readTensor(file, channel, name, entry.getValue(), dataStart, dataLength));
            }
            return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
        }
    }

    private static HostTensor readTensor(Path file, FileChannel channel, String name, JsonElement element,
                                         long dataStart, long dataLength) throws IOException {
        DType dtype;
        long[] shape;
        long begin;
        long end;
        try {
            JsonObject info = element.getAsJsonObject();
            dtype = DType.fromSafetensors(info.get("dtype").getAsString());
            List<Long> dims = new ArrayList<>();
            info.get("shape").getAsJsonArray().forEach(d -> dims.add(d.getAsLong()));
            shape = dims.stream().mapToLong(Long::longValue).toArray();
            begin = info.get("data_offsets").getAsJsonArray().get(0).getAsLong();
            end = info.get("data_offsets").getAsJsonArray().get(1).getAsLong();
        } catch (RuntimeException e) {
            throw new FormatException(file + ": invalid header entry for tensor '" + name + "': " + e.getMessage());
        }
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new FormatException(file + ": tensor '" + name + "' has a negative dimension");
            }
            numel *= d;
        }
        if (begin < 0 || end < begin || end > dataLength || end - begin != numel * dtype.byteSize()) {
            throw new FormatException(file + ": tensor '" + name + "' has data_offsets [" + begin + ", " + end
                    + "] but needs " + numel * dtype.byteSize() + " bytes inside " + dataLength + " bytes of data");
        }
        if (end - begin > Integer.MAX_VALUE) {
            throw new FormatException(file + ": tensor '" + name + "' is larger than 2 GiB, which one buffer cannot map");
        }
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
        return HostTensor.contiguous(name, dtype, shape, mapped.order(ByteOrder.LITTLE_ENDIAN));
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new FormatException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    /**
     * Writes tensors to {@code file} atomically: the data goes to a temporary file in the
     * same folder, which is then renamed over the target.
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> entry : tensors.entrySet()) {
            HostTensor tensor = entry.getValue();
            JsonObject info = new JsonObject();
            info.addProperty("dtype", tensor.dtype().safetensorsName());
            com.google.gson.JsonArray shape = new com.google.gson.JsonArray();
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            com.google.gson.JsonArray offsets = new com.google.gson.JsonArray();
            offsets.add(offset);
            offset += tensor.byteSize();
            offsets.add(offset);
            info.add("data_offsets", offsets);
            header.add(entry.getKey(), info);
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        prefix.flip();
        AtomicFiles.write(file, channel -> {
            writeFully(channel, prefix);
            for (HostTensor tensor : tensors.values()) {
                writeFully(channel, tensor.contiguousBytes());
            }
        });
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        ByteBuffer b = buffer.duplicate();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }
}
