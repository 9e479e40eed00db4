package org.mutor.common.data;

import org.mutor.common.format.FormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Images in the ImageNet folder layout, {@code root/<class>/.../<image>}, indexed the
 * way torchvision's {@code ImageFolder} does: class folders sorted by name give
 * labels 0, 1, ...; inside a class, folders are visited in sorted path order and the
 * files of each folder in sorted name order. Names compare by UTF-16 code unit, which
 * equals Python's ordering except for characters outside the Basic Multilingual Plane.
 * Unlike torchvision, folders whose name starts with a dot are ignored.
 *
 * <p>Listing happens once, in {@link #open}; images decode lazily in {@link #load}.
 * A corrupt, truncated or unsupported image is skipped with a WARN log naming the
 * file and counted in {@link #skippedCount()}; it never aborts the caller's loop.
 * Safe for concurrent {@link #load} calls.
 */
public final class ImageFolderDataset implements Iterable<LabeledImage> {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);

    /**
     * One listed image.
     *
     * @param path the image file
     * @param label index of its class folder
     */
    public record Item(Path path, int label) {
    }

    private final Path root;
    private final List<String> classes;
    private final List<Item> items;
    private final AtomicLong skipped = new AtomicLong();

    private ImageFolderDataset(Path root, List<String> classes, List<Item> items) {
        this.root = root;
        this.classes = classes;
        this.items = items;
    }

    /**
     * Lists class folders and their image files (extensions in {@link ImageEntries#EXTENSIONS}).
     *
     * @throws NotDirectoryException when {@code root} is not a folder
     * @throws FormatException when {@code root} has no class folders
     */
    public static ImageFolderDataset open(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root + " (the image folder root must be a folder of class folders)");
        }
        List<Path> classFolders = new ArrayList<>();
        for (Path entry : sortedChildren(root)) {
            if (Files.isDirectory(entry) && !entry.getFileName().toString().startsWith(".")) {
                classFolders.add(entry);
            }
        }
        if (classFolders.isEmpty()) {
            throw new FormatException("image folder " + root + " has no class folders; expected root/<class>/<image>");
        }
        List<String> classes = new ArrayList<>();
        List<Item> items = new ArrayList<>();
        for (int label = 0; label < classFolders.size(); label++) {
            Path classFolder = classFolders.get(label);
            classes.add(classFolder.getFileName().toString());
            int before = items.size();
            for (Path folder : foldersInPathOrder(classFolder)) {
                for (Path file : sortedChildren(folder)) {
                    if (Files.isRegularFile(file) && ImageEntries.isImageName(file.getFileName().toString())) {
                        items.add(new Item(file, label));
                    }
                }
            }
            if (items.size() == before) {
                LOG.warn("class folder {} contains no images; its label {} stays reserved", classFolder, label);
            }
        }
        return new ImageFolderDataset(root, List.copyOf(classes), Collections.unmodifiableList(items));
    }

    /** Returns the root folder. */
    public Path root() {
        return root;
    }

    /** Returns the class folder names, sorted; the index of a name is its label. */
    public List<String> classes() {
        return classes;
    }

    /** Returns all listed images in order. */
    public List<Item> items() {
        return items;
    }

    /** Returns the number of listed images, including any that later fail to decode. */
    public int size() {
        return items.size();
    }

    /**
     * Reads and decodes item {@code index}; empty, after a WARN log and a count, when the
     * file cannot be read or decoded.
     */
    public Optional<LabeledImage> load(int index) {
        Item item = items.get(index);
        byte[] data;
        try {
            data = Files.readAllBytes(item.path());
        } catch (IOException e) {
            ImageEntries.skip(LOG, skipped, "reading " + item.path() + " failed: " + e);
            return Optional.empty();
        }
        return ImageEntries.decodeOrSkip(data, item.path().toString(), item.label(), LOG, skipped);
    }

    /** Returns the number of images skipped so far because they could not be read or decoded. */
    public long skippedCount() {
        return skipped.get();
    }

    /** Iterates over the decodable images in order, skipping (and counting) the others. */
    @Override
    public Iterator<LabeledImage> iterator() {
        return new Iterator<>() {
            private int next;
            private LabeledImage pending;

            @Override
            public boolean hasNext() {
                while (pending == null && next < items.size()) {
                    pending = load(next++).orElse(null);
                }
                return pending != null;
            }

            @Override
            public LabeledImage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("no more images in " + root);
                }
                LabeledImage out = pending;
                pending = null;
                return out;
            }
        };
    }

    /** Lists the folder and every folder below it (following links), sorted by path as text. */
    private static List<Path> foldersInPathOrder(Path top) throws IOException {
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(top, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(Files::isDirectory).forEach(folders::add);
        }
        folders.sort((a, b) -> slashed(top, a).compareTo(slashed(top, b)));
        return folders;
    }

    private static String slashed(Path top, Path folder) {
        return top.relativize(folder).toString().replace('\\', '/');
    }

    private static List<Path> sortedChildren(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
    }
}
