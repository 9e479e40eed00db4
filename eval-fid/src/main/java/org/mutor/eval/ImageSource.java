package org.mutor.eval;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.format.numpy.RowCursor;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.RgbImage;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Streams uint8 images {@code [B, H, W, 3]} in batches from an ADM .npz ({@code arr_0}) or
 * a folder of PNG/JPEG files (walked recursively, sorted by path; a batch never mixes
 * image sizes).
 */
interface ImageSource extends AutoCloseable {

    /** Number of images, or -1 when unknown. */
    long count();

    /** Next batch of at most {@code max} images, or null at the end. */
    HostTensor next(int max) throws IOException;

    @Override
    void close() throws IOException;

    /** Checks that {@code entry} is uint8 {@code [N, H, W, 3]}. */
    static void checkImages(Path file, NpzReader.Entry entry) throws FormatException {
        long[] s = entry.shape();
        if (entry.dtype() != DType.UINT8 || s.length != 4 || s[3] != 3) {
            throw new FormatException(file + ": arr_0 is " + entry.dtype().shortName() + " "
                    + java.util.Arrays.toString(s) + ", expected uint8 [N, H, W, 3] (ADM sample batch layout)");
        }
    }

    /** Streams {@code arr_0} of an open archive. */
    static ImageSource ofNpz(Path file, NpzReader reader) throws IOException {
        NpzReader.Entry entry = reader.entry("arr_0");
        checkImages(file, entry);
        RowCursor rows = entry.rows();
        return new ImageSource() {
            public long count() {
                return entry.shape()[0];
            }

            public HostTensor next(int max) throws IOException {
                return rows.hasNext() ? rows.next(max) : null;
            }

            public void close() throws IOException {
                rows.close();
            }
        };
    }

    /** Streams the PNG and JPEG files under {@code folder}. */
    static ImageSource ofFolder(Path folder) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
            }).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new FormatException(folder + " holds no .png, .jpg or .jpeg files; expected a folder of images");
        }
        return new ImageSource() {
            private int index;
            private RgbImage pending;

            public long count() {
                return files.size();
            }

            public HostTensor next(int max) throws IOException {
                List<RgbImage> batch = new ArrayList<>();
                while (batch.size() < max && (pending != null || index < files.size())) {
                    RgbImage image = pending != null ? pending : ImageFiles.read(files.get(index++));
                    pending = null;
                    if (!batch.isEmpty() && (image.width() != batch.get(0).width()
                            || image.height() != batch.get(0).height())) {
                        pending = image;
                        break;
                    }
                    batch.add(image);
                }
                if (batch.isEmpty()) {
                    return null;
                }
                int w = batch.get(0).width();
                int h = batch.get(0).height();
                ByteBuffer bytes = ByteBuffer.allocate(batch.size() * w * h * 3);
                batch.forEach(img -> bytes.put(img.rgb()));
                bytes.flip();
                return HostTensor.contiguous("images", DType.UINT8, new long[] {batch.size(), h, w, 3}, bytes);
            }

            public void close() {
            }
        };
    }
}
