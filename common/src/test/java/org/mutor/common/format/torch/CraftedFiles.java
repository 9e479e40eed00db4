package org.mutor.common.format.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-built pickles and zip archives for the reader's rejection tests. */
final class CraftedFiles {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private CraftedFiles() {
    }

    /** Starts a protocol-2 pickle. */
    static CraftedFiles pickle() {
        CraftedFiles p = new CraftedFiles();
        p.op(0x80).op(2);
        return p;
    }

    CraftedFiles op(int opcode) {
        out.write(opcode);
        return this;
    }

    CraftedFiles global(String module, String name) {
        op('c');
        ascii(module + "\n" + name + "\n");
        return this;
    }

    CraftedFiles str(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        op('X');
        for (int i = 0; i < 4; i++) {
            out.write((bytes.length >>> (8 * i)) & 0xFF);
        }
        out.writeBytes(bytes);
        return this;
    }

    CraftedFiles shortStr(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        op(0x8c).op(bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    CraftedFiles int1(int value) {
        return op('K').op(value);
    }

    private void ascii(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Writes a zip with stored (uncompressed) entries, as torch.save does. */
    static Path zip(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(stream)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }
}
