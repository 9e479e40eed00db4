package org.mutor.common.format;

import org.mutor.common.format.numpy.Npy;
import org.mutor.common.format.numpy.NpyHeader;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recognises a checkpoint or array file by its first bytes (not its name) and returns
 * its content tree without reading tensor data: maps, lists, plain values, and
 * {@link HostTensor} or {@link TensorInfo} leaves.
 */
public final class FileInspector {

    /** The formats this inspector recognises. */
    public enum Format {
        TORCH_ZIP("torch.save, zip format"),
        TORCH_LEGACY("torch.save, pre-1.6 format"),
        SAFETENSORS("safetensors"),
        NPY("NumPy .npy"),
        NPZ("NumPy .npz");

        private final String description;

        Format(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** Dtype and shape of an array whose data was not read. */
    public record TensorInfo(DType dtype, long[] shape) {
    }

    /** A recognised file and its content tree. */
    public record Inspection(Format format, Object tree, Map<String, String> metadata) {
    }

    private FileInspector() {
    }

    /**
     * Reads the structure of {@code file}.
     *
     * @throws FormatException when the format is not recognised or the file is corrupt
     */
    public static Inspection inspect(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new FormatException(file + " is a folder; give a .pt, .pth, .bin, .safetensors, .npy or .npz file");
        }
        Format format = detect(file);
        switch (format) {
            case TORCH_ZIP:
            case TORCH_LEGACY:
                return new Inspection(format, TorchFile.load(file), Map.of());
            case SAFETENSORS: {
                SafeTensors.Contents contents = SafeTensors.read(file);
                return new Inspection(format, contents.tensors(), contents.metadata());
            }
            case NPY: {
                NpyHeader header = Npy.readHeader(file);
                return new Inspection(format, new TensorInfo(header.dtype(), header.shape()), Map.of());
            }
            default: {
                Map<String, Object> entries = new LinkedHashMap<>();
                try (NpzReader reader = NpzReader.open(file)) {
                    for (NpzReader.Entry entry : reader.entries()) {
                        entries.put(entry.name(), new TensorInfo(entry.dtype(), entry.shape()));
                    }
                }
                return new Inspection(format, entries, Map.of());
            }
        }
    }

    /**
     * Identifies the format from the leading bytes.
     *
     * @throws FormatException naming the supported formats when none matches
     */
    public static Format detect(Path file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
            while (head.hasRemaining() && channel.read(head) > 0) {
                // Reads up to 16 bytes.
            }
        }
        head.flip();
        if (head.remaining() >= 6 && (head.get(0) & 0xFF) == 0x93 && head.get(1) == 'N' && head.get(2) == 'U'
                && head.get(3) == 'M' && head.get(4) == 'P' && head.get(5) == 'Y') {
            return Format.NPY;
        }
        if (head.remaining() >= 4 && head.getInt(0) == 0x04034b50) {
            return isTorchZip(file) ? Format.TORCH_ZIP : Format.NPZ;
        }
        if (head.remaining() >= 2 && (head.get(0) & 0xFF) == 0x80) {
            return Format.TORCH_LEGACY;
        }
        if (head.remaining() >= 9) {
            long headerLength = head.getLong(0);
            if (headerLength > 1 && 8 + headerLength <= size && head.get(8) == '{') {
                return Format.SAFETENSORS;
            }
        }
        throw new FormatException(file + ": unrecognised file format; expected a torch.save file (.pt, .pth, .bin), "
                + ".safetensors, .npy or .npz");
    }

    /** A zip is a torch.save archive when it holds a data.pkl entry; otherwise it is taken for an .npz. */
    private static boolean isTorchZip(Path file) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            return zip.stream().anyMatch(e -> e.getName().equals("data.pkl") || e.getName().endsWith("/data.pkl"));
        } catch (java.util.zip.ZipException e) {
            throw new FormatException(file + ": corrupt or truncated zip archive (" + e.getMessage() + ")");
        }
    }
}
