package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.RgbImage;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code mutor generate} with the random-weight GPT and VQ fixtures that PyTorch wrote. */
class GenerateCommandTest {

    private static final Path GPT = Path.of("../generator/src/test/resources/gpt");
    private static final Path VQ = Path.of("../tokenizer-vq/src/test/resources/vq");

    private static List<String> models(boolean withVq) {
        List<String> args = new ArrayList<>(List.of("--gpt", GPT.resolve("gpt_tiny.pt").toString(),
                "--gpt-config", GPT.resolve("gpt_tiny.yaml").toString()));
        if (withVq) {
            args.addAll(List.of("--vq", VQ.resolve("vq_tiny.pt").toString(),
                    "--vq-config", VQ.resolve("vq-tiny-fixture.yaml").toString()));
        }
        return args;
    }

    private static CliRunner.Result generate(boolean withVq, String... more) {
        List<String> args = new ArrayList<>(List.of("generate"));
        args.addAll(models(withVq));
        args.addAll(Arrays.asList(more));
        return CliRunner.run(args.toArray(new String[0]));
    }

    @Test
    void codesFollowClassOrderAndIgnoreBatchSize(@TempDir Path dir) throws IOException {
        CliRunner.Result one = generate(false, "--classes", "7,3", "--per-class", "3", "--batch-size", "1",
                "--codes-out", dir.resolve("a.npy").toString());
        assertEquals(ExitCodes.OK, one.exitCode(), one.err());
        CliRunner.Result many = generate(false, "--classes", "7,3", "--per-class", "3", "--batch-size", "4",
                "--codes-out", dir.resolve("b.npy").toString());
        assertEquals(ExitCodes.OK, many.exitCode(), many.err());
        HostTensor a = Npy.read(dir.resolve("a.npy"));
        assertArrayEquals(new long[] {6, 16}, a.shape());
        assertArrayEquals(a.toLongArray(), Npy.read(dir.resolve("b.npy")).toLongArray());

        // Rows of class 7 come first: they equal a run that asks for class 7 alone.
        CliRunner.Result seven = generate(false, "--class", "7", "--per-class", "3",
                "--codes-out", dir.resolve("c.npy").toString());
        assertEquals(ExitCodes.OK, seven.exitCode(), seven.err());
        assertArrayEquals(Arrays.copyOf(a.toLongArray(), 48), Npy.read(dir.resolve("c.npy")).toLongArray());
    }

    @Test
    void pngGridAndPerSampleFiles(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("grid.png");
        CliRunner.Result result = generate(true, "--classes", "1,2", "--per-class", "2", "--out", out.toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        RgbImage grid = ImageFiles.read(out);
        // A 4x4 token grid decodes to 16x16 px with this tokenizer; 2 columns, 2 rows, padding 2.
        assertEquals(2 * 16 + 3 * 2, grid.width());
        assertEquals(2 * 16 + 3 * 2, grid.height());
        try (var files = Files.list(dir.resolve("grid"))) {
            assertEquals(List.of("00000-class1.png", "00001-class1.png", "00002-class2.png", "00003-class2.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void admSampleFileResumesFromParts(@TempDir Path dir) throws IOException {
        Path full = dir.resolve("full.npz");
        CliRunner.Result whole = generate(true, "--num-samples", "10", "--batch-size", "4", "--eval-size", "16",
                "--out", full.toString());
        assertEquals(ExitCodes.OK, whole.exitCode(), whole.err());
        // Simulate an interruption after the first part: only part 0 of a second run exists.
        Path resumed = dir.resolve("resumed.npz");
        Path parts = Files.createDirectories(dir.resolve("resumed.npz.parts"));
        HostTensor first;
        try (NpzReader reader = NpzReader.open(full)) {
            first = reader.entry("arr_0").readRows(0, 4);
            Npy.write(parts.resolve("part-000000.npy"), first);
        }
        CliRunner.Result rest = generate(true, "--num-samples", "10", "--batch-size", "4", "--eval-size", "16",
                "--out", resumed.toString());
        assertEquals(ExitCodes.OK, rest.exitCode(), rest.err());
        assertTrue(rest.err().contains("resuming"), rest.err());
        try (NpzReader a = NpzReader.open(full); NpzReader b = NpzReader.open(resumed)) {
            assertArrayEquals(new long[] {10, 16, 16, 3}, a.entry("arr_0").shape());
            assertArrayEquals(a.entry("arr_0").read().toLongArray(), b.entry("arr_0").read().toLongArray());
        }
    }

    @Test
    void classOutsideRangeNamesRange(@TempDir Path dir) {
        CliRunner.Result result = generate(false, "--class", "207", "--codes-out", dir.resolve("x.npy").toString());
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("class 207 is outside this model's range 0-9"), result.err());
        assertEquals(1, result.err().strip().lines().count(), result.err());
    }

    @Test
    void gptWithoutVqNeedsCodesOut() {
        CliRunner.Result result = generate(false, "--class", "1", "--out", "x.png");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().contains("--codes-out"), result.err());
    }

    @Test
    void missingClassIsUsageError() {
        CliRunner.Result result = generate(false, "--codes-out", "x.npy");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().contains("--class"), result.err());
    }
}
