package org.mutor.common.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.mutor.common.format.FormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * Images read as a stream from a tar archive (plain or gzip-compressed), never
 * extracted to disk and never held in memory beyond one image. Two layouts, which
 * may be mixed in one archive:
 *
 * <ul>
 *   <li>class folders: entries {@code n01440764/n01440764_10026.JPEG}; the class is the
 *       name of the entry's parent folder (so {@code train/n01440764/x.JPEG} works too);</li>
 *   <li>the ILSVRC training archive: an outer tar of per-class tars, entries
 *       {@code n01440764.tar}, each holding that class's images; the class is the inner
 *       tar's name without {@code .tar}.</li>
 * </ul>
 *
 * <p>Labels index the sorted class names. Without a class list, {@link #open(Path)}
 * finds the names in one pass over the entry headers, which skips the entry data
 * (cheap for a plain tar on disk, a full decompression for a gzip one). With a class
 * list, entries of classes outside the list are ignored, which selects a subset.
 * Images come in archive order. A corrupt or unsupported image is skipped with a
 * WARN log naming the entry and counted in {@link #skippedCount()}.
 */
public final class TarImageDataset {

    private static final Logger LOG = LoggerFactory.getLogger(TarImageDataset.class);

    /** Largest image entry decoded; bigger entries are skipped as corrupt. */
    static final long MAX_IMAGE_BYTES = 256L << 20;

    private final Path archive;
    private final List<String> classes;
    private final Map<String, Integer> labels = new HashMap<>();
    private final AtomicLong skipped = new AtomicLong();

    private TarImageDataset(Path archive, List<String> classes) {
        this.archive = archive;
        this.classes = List.copyOf(classes);
        for (int i = 0; i < this.classes.size(); i++) {
            if (labels.put(this.classes.get(i), i) != null) {
                throw new IllegalArgumentException("class '" + this.classes.get(i)
                        + "' appears twice in the class list; list each class once");
            }
        }
    }

    /**
     * Opens {@code archive}, finding the class names from its entry headers.
     *
     * @throws FormatException when the archive contains no labelled images or inner tars
     */
    public static TarImageDataset open(Path archive) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (TarArchiveInputStream tar = openTar(archive)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = classOf(entry);
                if (name != null) {
                    names.add(name);
                }
            }
        }
        if (names.isEmpty()) {
            throw new FormatException("archive " + archive + " contains no <class>/<image> entries and no "
                    + "<class>.tar entries; check the archive layout");
        }
        return new TarImageDataset(archive, new ArrayList<>(names));
    }

    /**
     * Opens {@code archive} with a given class list, in label order, without scanning it.
     *
     * @throws IllegalArgumentException when a class is listed twice or the list is empty
     */
    public static TarImageDataset open(Path archive, List<String> classes) {
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("empty class list for " + archive + "; list at least one class");
        }
        return new TarImageDataset(archive, classes);
    }

    /** Reads a class list file: one class name per line, blank lines and {@code #} comments ignored. */
    public static List<String> readClassList(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String name = line.strip();
            if (!name.isEmpty() && !name.startsWith("#")) {
                names.add(name);
            }
        }
        return names;
    }

    /** Returns the archive file. */
    public Path archive() {
        return archive;
    }

    /** Returns the class names; the index of a name is its label. */
    public List<String> classes() {
        return classes;
    }

    /** Returns the label of a class name, or -1 when the name is not in the class list. */
    public int labelOf(String className) {
        return labels.getOrDefault(className, -1);
    }

    /** Returns the number of images skipped so far, over all streams, because they could not be decoded. */
    public long skippedCount() {
        return skipped.get();
    }

    /** Starts one pass over the archive; close the stream when done. */
    public TarImageStream stream() throws IOException {
        return new TarImageStream(this, openTar(archive));
    }

    Logger log() {
        return LOG;
    }

    AtomicLong skippedCounter() {
        return skipped;
    }

    /**
     * Class of an outer entry: the inner tar's base name for {@code <class>.tar}, the
     * parent folder for an image entry, null for anything else.
     */
    static String classOf(TarArchiveEntry entry) {
        if (!entry.isFile()) {
            return null;
        }
        String name = entry.getName();
        int slash = name.lastIndexOf('/');
        String base = name.substring(slash + 1);
        if (base.toLowerCase(java.util.Locale.ROOT).endsWith(".tar")) {
            return base.substring(0, base.length() - 4);
        }
        if (!ImageEntries.isImageName(base)) {
            return null;
        }
        if (slash <= 0) {
            LOG.warn("archive entry {} is an image outside any class folder; it is ignored", name);
            return null;
        }
        String parent = name.substring(0, slash);
        return parent.substring(parent.lastIndexOf('/') + 1);
    }

    private static TarArchiveInputStream openTar(Path archive) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        try {
            in.mark(2);
            int first = in.read();
            int second = in.read();
            in.reset();
            if (first == 0x1F && second == 0x8B) {
                in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            }
            return new TarArchiveInputStream(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }
}
