package org.mutor.common.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * One streaming pass over a {@link TarImageDataset}: decoded images in archive order,
 * with corrupt images skipped and counted. Not thread-safe.
 *
 * <p>Errors of the archive itself (a truncated or corrupt tar) surface from
 * {@link #hasNext()} as {@link UncheckedIOException}, since nothing after them can be
 * read. A corrupt inner tar is different: the rest of it is skipped with a WARN log
 * and counted once, and the pass continues with the next outer entry.
 */
public final class TarImageStream implements Iterator<LabeledImage>, Closeable {

    private final TarImageDataset dataset;
    private final TarArchiveInputStream outer;
    private TarArchiveInputStream inner;
    private String innerName;
    private int innerLabel;
    private LabeledImage pending;
    private boolean finished;

    TarImageStream(TarImageDataset dataset, TarArchiveInputStream outer) {
        this.dataset = dataset;
        this.outer = outer;
    }

    @Override
    public boolean hasNext() {
        try {
            while (pending == null && !finished) {
                pending = (inner != null ? nextFromInner() : nextFromOuter()).orElse(null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading archive " + dataset.archive() + " failed: " + e.getMessage(), e);
        }
        return pending != null;
    }

    @Override
    public LabeledImage next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more images in " + dataset.archive());
        }
        LabeledImage out = pending;
        pending = null;
        return out;
    }

    @Override
    public void close() throws IOException {
        finished = true;
        outer.close();
    }

    /** Reads outer entries until one yields an image, opens an inner tar, or the archive ends. */
    private Optional<LabeledImage> nextFromOuter() throws IOException {
        TarArchiveEntry entry = outer.getNextEntry();
        if (entry == null) {
            finished = true;
            return Optional.empty();
        }
        String className = TarImageDataset.classOf(entry);
        if (className == null) {
            return Optional.empty();
        }
        int label = dataset.labelOf(className);
        if (label < 0) {
            dataset.log().debug("archive entry {} belongs to class {}, not in the class list; ignored",
                    entry.getName(), className);
            return Optional.empty();
        }
        if (entry.getName().toLowerCase(java.util.Locale.ROOT).endsWith(".tar")) {
            // The inner stream reads the outer entry's data; closing it would close the outer stream.
            inner = new TarArchiveInputStream(outer);
            innerName = entry.getName();
            innerLabel = label;
            return Optional.empty();
        }
        return readImage(outer, entry, entry.getName(), label);
    }

    /** Reads the next image of the current inner tar; at its end, returns to the outer archive. */
    private Optional<LabeledImage> nextFromInner() {
        try {
            TarArchiveEntry entry = inner.getNextEntry();
            if (entry == null) {
                inner = null;
                return Optional.empty();
            }
            String base = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
            if (!entry.isFile() || !ImageEntries.isImageName(base)) {
                return Optional.empty();
            }
            return readImage(inner, entry, innerName + "/" + entry.getName(), innerLabel);
        } catch (IOException e) {
            // The outer stream skips what is left of this entry. When the outer archive is
            // itself truncated, its next header read fails and ends the pass.
            ImageEntries.skip(dataset.log(), dataset.skippedCounter(), "inner archive " + innerName
                    + " is corrupt, so the rest of it is skipped: " + e.getMessage());
            inner = null;
            return Optional.empty();
        }
    }

    private Optional<LabeledImage> readImage(TarArchiveInputStream tar, TarArchiveEntry entry, String source,
            int label) throws IOException {
        if (entry.getSize() > TarImageDataset.MAX_IMAGE_BYTES) {
            ImageEntries.skip(dataset.log(), dataset.skippedCounter(), "archive entry " + source + " has "
                    + entry.getSize() + " bytes, over the image limit of " + TarImageDataset.MAX_IMAGE_BYTES);
            return Optional.empty();
        }
        byte[] data = tar.readNBytes((int) entry.getSize());
        if (data.length != entry.getSize()) {
            throw new IOException("archive entry " + source + " ends after " + data.length + " of "
                    + entry.getSize() + " bytes; the archive is truncated");
        }
        return ImageEntries.decodeOrSkip(data, source, label, dataset.log(), dataset.skippedCounter());
    }
}
