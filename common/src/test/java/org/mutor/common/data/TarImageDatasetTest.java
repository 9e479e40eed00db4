package org.mutor.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.RgbImage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Archives built here with Commons Compress, in both ImageNet layouts. */
class TarImageDatasetTest {

    @TempDir
    Path dir;

    private final RgbImage a1 = DataTestImages.noise(5, 4, 11);
    private final RgbImage a2 = DataTestImages.noise(5, 4, 12);
    private final RgbImage b1 = DataTestImages.noise(4, 6, 13);

    /** Builds a tar from name to content; a null content makes a folder entry. */
    private static byte[] tar(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                if (e.getValue() != null) {
                    entry.setSize(e.getValue().length);
                }
                out.putArchiveEntry(entry);
                if (e.getValue() != null) {
                    out.write(e.getValue());
                }
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] truncatedPng(RgbImage image) {
        byte[] png = ImageFiles.encodePng(image);
        return Arrays.copyOf(png, png.length / 2);
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private static List<LabeledImage> readAll(TarImageDataset dataset) throws IOException {
        List<LabeledImage> images = new ArrayList<>();
        try (TarImageStream stream = dataset.stream()) {
            stream.forEachRemaining(images::add);
        }
        return images;
    }

    private byte[] classFolderTar() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("n02/", null);
        entries.put("n02/b1.JPEG", ImageFiles.encodePng(b1)); // PNG bytes, ImageNet-style name.
        entries.put("n01/a1.png", ImageFiles.encodePng(a1));
        entries.put("n01/bad.JPEG", truncatedPng(a2));
        entries.put("README.txt", new byte[] {'h', 'i'});
        entries.put("stray.png", ImageFiles.encodePng(a2));
        entries.put("train/n01/a2.png", ImageFiles.encodePng(a2));
        return tar(entries);
    }

    @Test
    void classFolderLayoutStreamsInArchiveOrder() throws IOException {
        TarImageDataset dataset = TarImageDataset.open(write("folders.tar", classFolderTar()));
        assertEquals(List.of("n01", "n02"), dataset.classes());
        List<LabeledImage> images = readAll(dataset);
        assertEquals(3, images.size());
        assertEquals(b1, images.get(0).image());
        assertEquals(1, images.get(0).label());
        assertEquals("n02/b1.JPEG", images.get(0).source());
        assertEquals(a1, images.get(1).image());
        assertEquals(0, images.get(1).label());
        assertEquals(a2, images.get(2).image());
        assertEquals(0, images.get(2).label());
        assertEquals(1, dataset.skippedCount());
    }

    private byte[] nestedTar() throws IOException {
        Map<String, byte[]> n02 = new LinkedHashMap<>();
        n02.put("n02_1.JPEG", ImageFiles.encodeJpeg(b1, 0.95f));
        Map<String, byte[]> n01 = new LinkedHashMap<>();
        n01.put("n01_1.JPEG", ImageFiles.encodePng(a1));
        byte[] png = ImageFiles.encodePng(a2);
        n01.put("n01_2.JPEG", Arrays.copyOf(png, png.length / 2)); // Truncated, so skipped.
        n01.put("n01_3.JPEG", ImageFiles.encodePng(a2));
        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("n02.tar", tar(n02));
        outer.put("n01.tar", tar(n01));
        return tar(outer);
    }

    @Test
    void nestedTarLayoutStreamsInnerImages() throws IOException {
        TarImageDataset dataset = TarImageDataset.open(write("ILSVRC2012_img_train.tar", nestedTar()));
        assertEquals(List.of("n01", "n02"), dataset.classes());
        List<LabeledImage> images = readAll(dataset);
        assertEquals(3, images.size());
        assertEquals(1, images.get(0).label());
        assertEquals(4, images.get(0).image().width());
        assertEquals("n02.tar/n02_1.JPEG", images.get(0).source());
        assertEquals(a1, images.get(1).image());
        assertEquals(a2, images.get(2).image());
        assertEquals(0, images.get(2).label());
        assertEquals(1, dataset.skippedCount(), "the truncated image");
        readAll(dataset);
        assertEquals(2, dataset.skippedCount(), "counts accumulate over passes");
    }

    @Test
    void gzipArchiveReadsLikeThePlainOne() throws IOException {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(packed)) {
            out.write(nestedTar());
        }
        TarImageDataset dataset = TarImageDataset.open(write("train.tar.gz", packed.toByteArray()));
        assertEquals(List.of("n01", "n02"), dataset.classes());
        assertEquals(3, readAll(dataset).size());
    }

    @Test
    void classListSelectsASubsetWithoutScanning() throws IOException {
        Path list = Files.writeString(dir.resolve("classes.txt"), "# wanted classes\n\nn02\n");
        List<String> classes = TarImageDataset.readClassList(list);
        assertEquals(List.of("n02"), classes);
        TarImageDataset dataset = TarImageDataset.open(write("nested.tar", nestedTar()), classes);
        List<LabeledImage> images = readAll(dataset);
        assertEquals(1, images.size());
        assertEquals(0, images.get(0).label());
        assertEquals(0, dataset.skippedCount());
        assertThrows(IllegalArgumentException.class, () -> TarImageDataset.open(list, List.of("x", "x")));
    }

    @Test
    void corruptInnerTarIsSkipped() throws IOException {
        byte[] inner = tar(Map.of("n01_1.JPEG", ImageFiles.encodePng(a1)));
        Arrays.fill(inner, 100, 160, (byte) 'x'); // Breaks the header checksum of the first entry.
        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("n01.tar", inner);
        outer.put("n02.tar", tar(Map.of("n02_1.JPEG", ImageFiles.encodePng(b1))));
        TarImageDataset dataset = TarImageDataset.open(write("outer.tar", tar(outer)));
        List<LabeledImage> images = readAll(dataset);
        assertEquals(1, images.size());
        assertEquals(b1, images.get(0).image());
        assertEquals(1, dataset.skippedCount());
    }

    @Test
    void truncatedArchiveFailsTheStream() throws IOException {
        byte[] whole = classFolderTar();
        TarImageDataset dataset = TarImageDataset.open(write("whole.tar", whole), List.of("n01", "n02"));
        Files.write(dataset.archive(), Arrays.copyOf(whole, 1100)); // Inside the data of the second entry.
        try (TarImageStream stream = dataset.stream()) {
            assertThrows(UncheckedIOException.class, () -> stream.forEachRemaining(image -> { }));
        }
    }

    @Test
    void archiveWithoutLabelledImagesIsRejected() throws IOException {
        Path flat = write("flat.tar", tar(Map.of("a.png", ImageFiles.encodePng(a1))));
        assertThrows(FormatException.class, () -> TarImageDataset.open(flat));
        Path empty = write("empty.tar", tar(Map.of()));
        assertThrows(FormatException.class, () -> TarImageDataset.open(empty));
        assertFalse(Files.exists(dir.resolve("n01")), "nothing is extracted to disk");
    }
}
