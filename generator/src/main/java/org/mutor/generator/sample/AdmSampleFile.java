package org.mutor.generator.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.format.numpy.NpyHeader;
import org.mutor.common.format.numpy.NpzWriter;
import org.mutor.common.image.TorchBicubicResize;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ADM evaluator's sample file: an .npz whose arr_0 is uint8 [N, H, W, 3].
 *
 * <p>Batches are written as numbered parts (uint8 .npy, each renamed into place when
 * complete) in a folder beside the target, so an interrupted run resumes at the
 * first missing part; {@link #assemble} then streams the parts into the .npz without
 * holding the array in memory, and removes them.
 */
public final class AdmSampleFile {

    private final Path target;
    private final Path parts;

    public AdmSampleFile(Path target) {
        this.target = target;
        this.parts = target.resolveSibling(target.getFileName() + ".parts");
    }

    public Path partsFolder() {
        return parts;
    }

    /**
     * Converts decoded images [B, 3, H, W] in [-1, 1] to uint8 [B, size, size, 3] as the
     * reference FID script does: an optional PyTorch-bicubic resize on the float values
     * (384 px models are evaluated at 256 px), then clamp(127.5 x + 128, 0, 255) and
     * truncation toward zero.
     */
    public static HostTensor toUint8(NDArray images, int size) {
        NDArray x = images;
        if (x.getShape().get(2) != size || x.getShape().get(3) != size) {
            x = TorchBicubicResize.resize(x, size, size);
        }
        NDArray bytes = x.mul(127.5).add(128.0).clip(0, 255).transpose(0, 2, 3, 1).toType(DataType.UINT8, false);
        return HostTensor.fromNDArray(bytes);
    }

    /** Number of samples already written in complete parts; parts must be contiguous from 0. */
    public long completedSamples() throws IOException {
        long total = 0;
        for (Path part : listParts()) {
            total += Npy.readHeader(part).shape()[0];
        }
        return total;
    }

    /** Writes part {@code index} (uint8 [n, H, W, 3]) atomically. */
    public void writePart(int index, HostTensor batch) throws IOException {
        if (batch.dtype() != DType.UINT8 || batch.rank() != 4 || batch.shape()[3] != 3) {
            throw new IllegalArgumentException("sample batch must be uint8 [n, H, W, 3], got "
                    + batch.dtype().shortName() + " " + Arrays.toString(batch.shape()));
        }
        Files.createDirectories(parts);
        Npy.write(parts.resolve(String.format("part-%06d.npy", index)), batch);
    }

    /** Number of complete parts, which is the index of the next part to write. */
    public int partCount() throws IOException {
        return listParts().size();
    }

    /**
     * Streams every part into the .npz (arr_0 [N, H, W, 3]) and removes the parts.
     *
     * @throws FormatException when the parts disagree in image size or the count differs from {@code expected}
     */
    public void assemble(long expected) throws IOException {
        List<Path> list = listParts();
        long total = 0;
        long[] imageShape = null;
        for (Path part : list) {
            NpyHeader header = Npy.readHeader(part);
            long[] shape = header.shape();
            long[] image = Arrays.copyOfRange(shape, 1, 4);
            if (imageShape == null) {
                imageShape = image;
            } else if (!Arrays.equals(imageShape, image)) {
                throw new FormatException(part + ": image shape " + Arrays.toString(image) + " differs from "
                        + Arrays.toString(imageShape) + " of the earlier parts");
            }
            total += shape[0];
        }
        if (total != expected) {
            throw new FormatException(parts + " holds " + total + " samples, expected " + expected);
        }
        long[] shape = {total, imageShape[0], imageShape[1], imageShape[2]};
        try (NpzWriter writer = NpzWriter.create(target)) {
            writer.beginArray("arr_0", DType.UINT8, shape);
            for (Path part : list) {
                writer.append(Npy.read(part));
            }
            writer.endArray();
            writer.finish();
        }
        for (Path part : list) {
            Files.delete(part);
        }
        Files.deleteIfExists(parts);
    }

    private List<Path> listParts() throws IOException {
        if (!Files.isDirectory(parts)) {
            return List.of();
        }
        List<Path> list = new ArrayList<>();
        try (Stream<Path> files = Files.list(parts)) {
            files.filter(p -> p.getFileName().toString().matches("part-\\d{6}\\.npy")).sorted().forEach(list::add);
        }
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).getFileName().toString().equals(String.format("part-%06d.npy", i))) {
                throw new FormatException(parts + ": part " + i + " is missing; delete the folder to start over");
            }
        }
        return list;
    }
}
