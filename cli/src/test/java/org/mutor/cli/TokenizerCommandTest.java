package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.RgbImage;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code mutor tokenizer encode, decode, reconstruct} against the PyTorch-made VQ fixture. */
class TokenizerCommandTest {

    private static final Path VQ = Path.of("../tokenizer-vq/src/test/resources/vq");

    private static CliRunner.Result run(String command, String... more) {
        List<String> args = new ArrayList<>(List.of("tokenizer", command, "--vq", VQ.resolve("vq_tiny.pt").toString(),
                "--vq-config", VQ.resolve("vq-tiny-fixture.yaml").toString()));
        args.addAll(Arrays.asList(more));
        return CliRunner.run(args.toArray(new String[0]));
    }

    @Test
    void encodeGivesThePyTorchCodesExactly(@TempDir Path dir) throws IOException {
        for (String name : new String[] {"square", "wide"}) {
            Path out = dir.resolve(name + ".npy");
            CliRunner.Result r = run("encode", "--in", VQ.resolve(name + "_images.npy").toString(), "--out",
                    out.toString(), "--batch-size", "1");
            assertEquals(ExitCodes.OK, r.exitCode(), r.err());
            HostTensor want = Npy.read(VQ.resolve(name + "_codes.npy"));
            HostTensor got = Npy.read(out);
            assertArrayEquals(want.shape(), got.shape());
            assertArrayEquals(want.toLongArray(), got.toLongArray(), name);
        }
    }

    @Test
    void decodeGivesThePyTorchImages(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("decoded.npy");
        CliRunner.Result r = run("decode", "--in", VQ.resolve("square_codes.npy").toString(), "--out", out.toString());
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        float[] want = Npy.read(VQ.resolve("square_decoded.npy")).toFloatArray();
        float[] got = Npy.read(out).toFloatArray();
        assertEquals(want.length, got.length);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (double) (got[i] - want[i]) * (got[i] - want[i]);
            norm += (double) want[i] * want[i];
        }
        assertTrue(Math.sqrt(diff / norm) < 1e-4, "relative error " + Math.sqrt(diff / norm));

        // The same codes flattened to [B, h*w] decode the same; a PNG grid and a folder get written.
        long[] codes = Npy.read(VQ.resolve("square_codes.npy")).toLongArray();
        Npy.write(dir.resolve("flat.npy"), HostTensor.ofLongs(new long[] {2, 64}, codes));
        assertEquals(ExitCodes.OK, run("decode", "--in", dir.resolve("flat.npy").toString(), "--out",
                dir.resolve("grid.png").toString()).exitCode());
        assertTrue(ImageFiles.read(dir.resolve("grid.png")).width() >= 2 * 32, "grid holds both images side by side");
        assertEquals(ExitCodes.OK, run("decode", "--in", dir.resolve("flat.npy").toString(), "--out",
                dir.resolve("pngs").toString()).exitCode());
        assertEquals(32, ImageFiles.read(dir.resolve("pngs/00001.png")).width());
    }

    @Test
    void reconstructPrintsPsnrAndSkipsCorruptImages(@TempDir Path dir) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        byte[] rgb = new byte[40 * 36 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        ImageFiles.write(images.resolve("a.png"), new RgbImage(40, 36, rgb));
        Files.write(images.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        CliRunner.Result r = run("reconstruct", "--in", images.toString(), "--out", dir.resolve("r.png").toString(),
                "--image-size", "32");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        assertTrue(r.out().contains("1 reconstructions; PSNR "), r.out());
        assertTrue(r.err().contains("skipped 1 unreadable image(s): broken.png"), r.err());
        assertTrue(Files.size(dir.resolve("r.png")) > 0);
    }

    @Test
    void badInputsGiveOneLineErrors(@TempDir Path dir) throws IOException {
        Npy.write(dir.resolve("ints.npy"), HostTensor.ofLongs(new long[] {1, 3, 32, 32}, new long[3 * 32 * 32]));
        CliRunner.Result wrongType = run("encode", "--in", dir.resolve("ints.npy").toString(), "--out",
                dir.resolve("c.npy").toString());
        assertEquals(ExitCodes.FAILURE, wrongType.exitCode());
        assertTrue(wrongType.err().contains("expected float32 images [B, 3, H, W]"), wrongType.err());
        assertEquals(1, wrongType.err().strip().lines().count(), wrongType.err());

        Npy.write(dir.resolve("floats.npy"), HostTensor.ofFloats(new long[] {2, 8, 8}, new float[128]));
        CliRunner.Result floatCodes = run("decode", "--in", dir.resolve("floats.npy").toString(), "--out",
                dir.resolve("d.npy").toString());
        assertEquals(ExitCodes.FAILURE, floatCodes.exitCode());
        assertTrue(floatCodes.err().contains("expected integer codes [B, h, w]"), floatCodes.err());

        Files.write(dir.resolve("junk.pt"), new byte[] {1, 2, 3, 4});
        CliRunner.Result junk = CliRunner.run("tokenizer", "decode", "--vq", dir.resolve("junk.pt").toString(),
                "--in", VQ.resolve("square_codes.npy").toString(), "--out", dir.resolve("e.npy").toString());
        assertEquals(ExitCodes.FAILURE, junk.exitCode());
        assertEquals(1, junk.err().strip().lines().count(), junk.err());

        CliRunner.Result mismatch = CliRunner.run("tokenizer", "decode", "--vq", VQ.resolve("vq_tiny.pt").toString(),
                "--vq-preset", "vq-fmnist", "--in", VQ.resolve("square_codes.npy").toString(), "--out",
                dir.resolve("f.npy").toString());
        assertEquals(ExitCodes.FAILURE, mismatch.exitCode());
        assertTrue(mismatch.err().contains("does not match the config"), mismatch.err());
        assertEquals(1, mismatch.err().strip().lines().count(), mismatch.err());
    }

    @Test
    void extractCodesSkipsCorruptImagesAndCountsThem(@TempDir Path dir) throws IOException {
        for (int c = 0; c < 2; c++) {
            Path classDir = Files.createDirectories(dir.resolve("data/class" + c));
            for (int i = 0; i < 3; i++) {
                byte[] rgb = new byte[36 * 34 * 3];
                Arrays.fill(rgb, (byte) (40 * i + 100 * c));
                ImageFiles.write(classDir.resolve(i + ".png"), new RgbImage(36, 34, rgb));
            }
        }
        Files.write(dir.resolve("data/class1/bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 9});
        CliRunner.Result r = run("extract-codes", "--data", dir.resolve("data").toString(), "--out",
                dir.resolve("codes").toString(), "--image-size", "32", "--flip", "--batch-size", "4", "--no-progress");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        assertTrue(r.out().contains("6 images x 2 view(s)"), r.out());
        assertTrue(r.out().contains("1 unreadable image(s) skipped"), r.out());
        org.mutor.common.data.CodeShards shards = org.mutor.common.data.CodeShards.open(dir.resolve("codes"));
        assertEquals(6, shards.size());
        assertEquals(1, shards.label(5));

        // The encode command gives the same codes for the centre view of the first image.
        CliRunner.Result encoded = run("encode", "--in", dir.resolve("data/class0/0.png").toString(), "--out",
                dir.resolve("one.npy").toString(), "--image-size", "32");
        assertEquals(ExitCodes.OK, encoded.exitCode(), encoded.err());
        long[] one = Npy.read(dir.resolve("one.npy")).toLongArray();
        int[] stored = shards.codes(0, 0);
        for (int t = 0; t < stored.length; t++) {
            assertEquals(one[t], stored[t]);
        }
    }
}
