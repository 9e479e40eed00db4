package org.mutor.common.data;

import org.mutor.common.format.FormatException;
import org.mutor.common.image.RgbImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Fashion-MNIST from its four IDX files: 60,000 training and 10,000 test images
 * of 28x28 grayscale clothing, labels 0..9.
 *
 * <p>The default folder is where the Debian package {@code dataset-fashion-mnist}
 * installs them, {@value #DEFAULT_FOLDER}; each file may be gzip-compressed
 * ({@code train-images-idx3-ubyte.gz}) or plain ({@code train-images-idx3-ubyte}).
 *
 * <p>Tokenizer input: the side must be divisible by the tokenizer's downsampling
 * factor (8 or 16 in LlamaGen's VQ models), which 28 is not. Each image is padded from 28x28 to 32x32 with 2 pixels of
 * background on every side. The background of Fashion-MNIST is 0 (black), which
 * becomes -1 after the {@code x / 127.5 - 1} scaling. Gray is repeated to three
 * channels so the same RGB tokenizer serves Fashion-MNIST and ImageNet.
 */
public final class FashionMnist {

    /** Folder of the Debian package {@code dataset-fashion-mnist}. */
    public static final String DEFAULT_FOLDER = "/usr/share/datasets/fashion-mnist";
    /** Side of the stored images. */
    public static final int SIZE = 28;
    /** Side of the tokenizer input after padding. */
    public static final int PADDED_SIZE = 32;
    /** Background pixels added on each side for the tokenizer input. */
    public static final int PADDING = (PADDED_SIZE - SIZE) / 2;
    /** Class names, indexed by label, as the dataset's authors list them. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * One split of the dataset.
     *
     * @param name {@code train} or {@code test}
     * @param images 28x28 grayscale images
     * @param labels one byte per image, 0..9
     */
    public record Split(String name, IdxFiles.IdxImages images, byte[] labels) {

        /** Number of images. */
        public int size() {
            return images.count();
        }

        /** Label of image {@code index}, 0..9; see {@link #CLASS_NAMES}. */
        public int label(int index) {
            return labels[index];
        }

        /** Image {@code index} as stored, 28x28, gray repeated to RGB. */
        public RgbImage image(int index) {
            return RgbImage.fromGray(SIZE, SIZE, images.image(index));
        }

        /** Image {@code index} padded with black to 32x32, gray repeated to RGB: the tokenizer input. */
        public RgbImage tokenizerImage(int index) {
            byte[] source = images.image(index);
            byte[] padded = new byte[PADDED_SIZE * PADDED_SIZE];
            for (int y = 0; y < SIZE; y++) {
                System.arraycopy(source, y * SIZE, padded, (y + PADDING) * PADDED_SIZE + PADDING, SIZE);
            }
            return RgbImage.fromGray(PADDED_SIZE, PADDED_SIZE, padded);
        }

        /** Tokenizer input of image {@code index} as float CHW {@code [3, 32, 32]} in [-1, 1]; padding is -1. */
        public float[] tokenizerInput(int index) {
            return tokenizerImage(index).toChw();
        }
    }

    private FashionMnist() {
    }

    /** Reads the training split (60,000 images) from the default folder. */
    public static Split train() throws IOException {
        return train(Path.of(DEFAULT_FOLDER));
    }

    /** Reads the test split (10,000 images) from the default folder. */
    public static Split test() throws IOException {
        return test(Path.of(DEFAULT_FOLDER));
    }

    /** Reads the training split from {@code folder}. */
    public static Split train(Path folder) throws IOException {
        return read(folder, "train", "train");
    }

    /** Reads the test split from {@code folder}. */
    public static Split test(Path folder) throws IOException {
        return read(folder, "test", "t10k");
    }

    private static Split read(Path folder, String name, String prefix) throws IOException {
        IdxFiles.IdxImages images = IdxFiles.readImages(find(folder, prefix + "-images-idx3-ubyte"));
        Path labelFile = find(folder, prefix + "-labels-idx1-ubyte");
        byte[] labels = IdxFiles.readLabels(labelFile);
        if (images.rows() != SIZE || images.columns() != SIZE) {
            throw new FormatException("Fashion-MNIST " + name + " images in " + folder + " are " + images.rows()
                    + "x" + images.columns() + " but must be " + SIZE + "x" + SIZE + "; check the folder");
        }
        if (labels.length != images.count()) {
            throw new FormatException("Fashion-MNIST " + name + " split in " + folder + " has " + images.count()
                    + " images but " + labels.length + " labels; re-download the files");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= CLASS_NAMES.size()) {
                throw new FormatException("label file " + labelFile + " has invalid label " + (labels[i] & 0xFF)
                        + " at index " + i + "; Fashion-MNIST labels are 0..9");
            }
        }
        return new Split(name, images, labels);
    }

    private static Path find(Path folder, String baseName) throws NoSuchFileException {
        for (String candidate : new String[] {baseName + ".gz", baseName}) {
            Path file = folder.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new NoSuchFileException(folder.resolve(baseName + ".gz").toString(), null,
                "Fashion-MNIST file not found (plain or .gz); install it with 'apt-get install dataset-fashion-mnist' "
                        + "or pass the folder that contains it");
    }
}
