package org.mutor.tokenizer.train;

import org.mutor.common.data.FashionMnist;
import org.mutor.common.data.ImageFolderDataset;
import org.mutor.common.data.LabeledImage;
import org.mutor.common.image.CenterCrops;
import org.mutor.common.image.RgbImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Training or held-out images of one data set, by index, at the tokenizer's input size.
 * Fashion-MNIST images are padded to 32x32 and never cropped; folder images are
 * centre-cropped ADM style, or randomly cropped from the 1.1x ADM resize when augmenting.
 */
final class TrainImages {

    private final FashionMnist.Split fmnist;
    private final ImageFolderDataset folder;
    private final int[] indices;
    private final int imageSize;

    private TrainImages(FashionMnist.Split fmnist, ImageFolderDataset folder, int[] indices, int imageSize) {
        this.fmnist = fmnist;
        this.folder = folder;
        this.indices = indices;
        this.imageSize = imageSize;
    }

    /**
     * Opens "fmnist", "fmnist:train", "fmnist:test" or an image folder.
     *
     * @throws IllegalArgumentException for a tar archive or a path that is not a folder
     */
    static TrainImages open(String dataset, int imageSize) throws IOException {
        if (dataset.equals("fmnist") || dataset.equals("fmnist:train") || dataset.equals("fmnist:test")) {
            if (imageSize != FashionMnist.PADDED_SIZE) {
                throw new IllegalArgumentException("image_size " + imageSize + " does not fit Fashion-MNIST, whose "
                        + "tokenizer images are " + FashionMnist.PADDED_SIZE + "x" + FashionMnist.PADDED_SIZE
                        + "; set image_size: " + FashionMnist.PADDED_SIZE);
            }
            FashionMnist.Split split = dataset.endsWith(":test") ? FashionMnist.test() : FashionMnist.train();
            return new TrainImages(split, null, identity(split.size()), imageSize);
        }
        Path path = Path.of(dataset);
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("dataset " + dataset + " is not a folder; training reads fmnist or an "
                    + "image folder (class sub-folders), so unpack a tar archive first");
        }
        ImageFolderDataset ds = ImageFolderDataset.open(path);
        return new TrainImages(null, ds, identity(ds.size()), imageSize);
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        Arrays.setAll(out, i -> i);
        return out;
    }

    /**
     * Splits off {@code count} images picked with {@code seed} as a held-out set.
     *
     * @return the remaining images first, the held-out ones second
     */
    TrainImages[] holdOut(int count, long seed) {
        if (count >= indices.length) {
            throw new IllegalArgumentException("cannot hold out " + count + " of " + indices.length
                    + " images; lower eval_images or give eval_dataset");
        }
        int[] shuffled = indices.clone();
        SplittableRandom random = new SplittableRandom(seed ^ 0x484F4C44L);
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        int[] held = Arrays.copyOf(shuffled, count);
        int[] rest = Arrays.copyOfRange(shuffled, count, shuffled.length);
        Arrays.sort(held);
        Arrays.sort(rest);
        return new TrainImages[] {new TrainImages(fmnist, folder, rest, imageSize),
            new TrainImages(fmnist, folder, held, imageSize)};
    }

    /** Returns the first {@code count} images (all when fewer). */
    TrainImages first(int count) {
        return new TrainImages(fmnist, folder, Arrays.copyOf(indices, Math.min(count, indices.length)), imageSize);
    }

    int size() {
        return indices.length;
    }

    /** Number of folder images skipped as unreadable so far. */
    long skipped() {
        return folder == null ? 0 : folder.skippedCount();
    }

    /**
     * Returns image {@code i} at the training size; empty when the file is unreadable
     * (the folder data set logs a warning naming it).
     *
     * @param random draws for augmentation, or null for the plain centre image
     */
    Optional<RgbImage> image(int i, boolean crop, boolean flip, SplittableRandom random) {
        RgbImage image;
        if (fmnist != null) {
            image = fmnist.tokenizerImage(indices[i]);
        } else {
            Optional<LabeledImage> loaded = folder.load(indices[i]);
            if (loaded.isEmpty()) {
                return Optional.empty();
            }
            if (crop && random != null) {
                RgbImage large = CenterCrops.admForExtraction(loaded.get().image(), imageSize);
                int x = random.nextInt(large.width() - imageSize + 1);
                int y = random.nextInt(large.height() - imageSize + 1);
                image = CenterCrops.crop(large, x, y, imageSize, imageSize);
            } else {
                image = CenterCrops.adm(loaded.get().image(), imageSize);
            }
        }
        if (flip && random != null && random.nextBoolean()) {
            image = CenterCrops.flipHorizontal(image);
        }
        return Optional.of(image);
    }
}
