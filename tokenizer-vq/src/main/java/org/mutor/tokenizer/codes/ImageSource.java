package org.mutor.tokenizer.codes;

import org.mutor.common.data.FashionMnist;
import org.mutor.common.data.ImageFolderDataset;
import org.mutor.common.data.LabeledImage;
import org.mutor.common.data.TarImageDataset;
import org.mutor.common.data.TarImageStream;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * Labelled images in a fixed order for code extraction: a Fashion-MNIST split (as the
 * tokenizer's 32x32 input), an image folder in the ImageNet layout, or a tar archive.
 * Unreadable images are skipped with a warning naming them and counted in {@link #skipped}.
 */
public final class ImageSource implements Iterator<LabeledImage>, Closeable {

    private final String description;
    private final Iterator<LabeledImage> images;
    private final Closeable closer;
    private final int numClasses;
    private final long total;
    private final boolean fashionMnist;
    private final LongSupplier skipped;

    private ImageSource(String description, Iterator<LabeledImage> images, Closeable closer, int numClasses,
            long total, boolean fashionMnist, LongSupplier skipped) {
        this.description = description;
        this.images = images;
        this.closer = closer;
        this.numClasses = numClasses;
        this.total = total;
        this.fashionMnist = fashionMnist;
        this.skipped = skipped;
    }

    /**
     * Opens {@code fmnist} or {@code fmnist:train} (training split), {@code fmnist:test},
     * a folder, or a {@code .tar} archive.
     *
     * @throws NoSuchFileException when the path does not exist
     */
    public static ImageSource open(String data) throws IOException {
        if (data.equals("fmnist") || data.equals("fmnist:train") || data.equals("fmnist:test")) {
            FashionMnist.Split split = data.endsWith(":test") ? FashionMnist.test() : FashionMnist.train();
            Iterator<LabeledImage> it = new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < split.size();
                }

                @Override
                public LabeledImage next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    int i = next++;
                    return new LabeledImage(split.tokenizerImage(i), split.label(i), "fmnist:" + split.name() + "#" + i);
                }
            };
            return new ImageSource(data, it, () -> { }, FashionMnist.CLASS_NAMES.size(), split.size(), true, () -> 0);
        }
        Path path = Path.of(data);
        if (!Files.exists(path)) {
            throw new NoSuchFileException(data, null, "no such folder or archive; give fmnist, fmnist:test, an image "
                    + "folder or a .tar archive");
        }
        if (Files.isDirectory(path)) {
            ImageFolderDataset folder = ImageFolderDataset.open(path);
            return new ImageSource(data, folder.iterator(), () -> { }, folder.classes().size(), folder.size(), false,
                    folder::skippedCount);
        }
        TarImageDataset tar = TarImageDataset.open(path);
        TarImageStream stream = tar.stream();
        return new ImageSource(data, stream, stream, tar.classes().size(), 0, false, tar::skippedCount);
    }

    /** Whether the images are Fashion-MNIST's, which are never cropped. */
    public boolean fashionMnist() {
        return fashionMnist;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Number of listed images, unreadable ones included; 0 when unknown before reading (tar). */
    public long total() {
        return total;
    }

    /** Images skipped as unreadable so far. */
    public long skipped() {
        return skipped.getAsLong();
    }

    public String description() {
        return description;
    }

    @Override
    public boolean hasNext() {
        return images.hasNext();
    }

    @Override
    public LabeledImage next() {
        return images.next();
    }

    @Override
    public void close() throws IOException {
        closer.close();
    }
}
