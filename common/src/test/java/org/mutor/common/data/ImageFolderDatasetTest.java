package org.mutor.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.RgbImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

class ImageFolderDatasetTest {

    @TempDir
    Path root;

    private final RgbImage one = DataTestImages.noise(6, 4, 1);
    private final RgbImage two = DataTestImages.noise(6, 4, 2);
    private final RgbImage deep = DataTestImages.noise(3, 3, 3);
    private final RgbImage photo = DataTestImages.noise(8, 8, 4);

    @BeforeEach
    void makeFolders() throws IOException {
        put("b_cls/x.jpg", ImageFiles.encodeJpeg(photo, 0.9f));
        put("b_cls/bad.png", Arrays.copyOf(ImageFiles.encodePng(photo), 40));
        put("b_cls/cmyk.JPEG", DataTestImages.resource("cmyk.jpg"));
        put("a_cls/2.png", ImageFiles.encodePng(two));
        put("a_cls/1.JPEG", ImageFiles.encodePng(one)); // A PNG with an ImageNet-style .JPEG name.
        put("a_cls/sub/0.png", ImageFiles.encodePng(deep));
        put("a_cls/notes.txt", new byte[] {1, 2, 3});
        put(".hidden/z.png", ImageFiles.encodePng(one));
        put("top.png", ImageFiles.encodePng(one));
        Files.createDirectories(root.resolve("c_empty"));
    }

    private void put(String name, byte[] data) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }

    @Test
    void classesAndFilesFollowImageFolderOrder() throws IOException {
        ImageFolderDataset dataset = ImageFolderDataset.open(root);
        assertEquals(List.of("a_cls", "b_cls", "c_empty"), dataset.classes());
        List<String> names = new ArrayList<>();
        for (ImageFolderDataset.Item item : dataset.items()) {
            names.add(root.relativize(item.path()).toString().replace('\\', '/') + ":" + item.label());
        }
        assertEquals(List.of("a_cls/1.JPEG:0", "a_cls/2.png:0", "a_cls/sub/0.png:0",
                "b_cls/bad.png:1", "b_cls/cmyk.JPEG:1", "b_cls/x.jpg:1"), names);
    }

    @Test
    void corruptImageSkippedCmykDecoded() throws IOException {
        // The default OpenCV decoder reads the CMYK JPEG; only the cut PNG is skipped.
        ImageFolderDataset dataset = ImageFolderDataset.open(root);
        List<LabeledImage> images = new ArrayList<>();
        dataset.forEach(images::add);
        assertEquals(5, images.size());
        assertEquals(1, dataset.skippedCount());
        assertEquals(one, images.get(0).image());
        assertEquals(two, images.get(1).image());
        assertEquals(deep, images.get(2).image());
        assertEquals(1, images.get(3).label());
        assertEquals(16, images.get(3).image().width());
        assertTrue(images.get(3).source().endsWith("cmyk.JPEG"));
        assertEquals(1, images.get(4).label());
        assertEquals(8, images.get(4).image().width());
        assertTrue(images.get(4).source().endsWith("x.jpg"));
    }

    @Test
    void loadDecodesLazilyByIndex() throws IOException {
        ImageFolderDataset dataset = ImageFolderDataset.open(root);
        assertEquals(two, dataset.load(1).orElseThrow().image());
        assertEquals(0, dataset.skippedCount());
        assertFalse(dataset.load(3).isPresent());
        assertEquals(1, dataset.skippedCount());
        Files.delete(dataset.items().get(0).path());
        assertFalse(dataset.load(0).isPresent(), "a file removed after listing is skipped too");
        assertEquals(2, dataset.skippedCount());
    }

    @Test
    void rootWithoutClassFoldersIsRejected() throws IOException {
        Path empty = Files.createDirectories(root.resolve("c_empty"));
        assertThrows(FormatException.class, () -> ImageFolderDataset.open(empty));
        assertThrows(NotDirectoryException.class, () -> ImageFolderDataset.open(root.resolve("top.png")));
    }
}
