package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.data.FashionMnist;
import org.mutor.common.format.numpy.NpzWriter;
import org.mutor.common.image.RgbImage;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code mutor eval} end to end on real Fashion-MNIST images with the bundled classifier features. */
class EvalCommandTest {

    @Test
    void fmnistTrainVersusTestSplit(@TempDir Path dir) throws IOException {
        Path samples = writeAdm(dir.resolve("train.npz"), FashionMnist.train(), 300);
        Path reference = writeAdm(dir.resolve("test.npz"), FashionMnist.test(), 300);
        Path json = dir.resolve("scores.json");
        CliRunner.Result result = CliRunner.run("eval", "--samples", samples.toString(), "--ref", reference.toString(),
                "--features", "fmnist", "--is-split", "100", "--json", json.toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertTrue(result.out().contains("FID"), result.out());
        JsonObject scores = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        for (String key : new String[] {"fid", "is", "precision", "recall"}) {
            assertTrue(scores.has(key), key + " in " + scores);
        }
        // Two real splits of the same dataset: close, but not identical.
        double fid = scores.get("fid").getAsDouble();
        assertTrue(fid > 0 && fid < 50, "fid " + fid);
        double is = scores.get("is").getAsDouble();
        assertTrue(is > 3 && is <= 10, "IS over 10 balanced classes " + is);
        assertTrue(scores.get("precision").getAsDouble() > 0.5, scores.toString());
    }

    @Test
    void setAgainstItselfGivesZeroFid(@TempDir Path dir) throws IOException {
        Path samples = writeAdm(dir.resolve("a.npz"), FashionMnist.test(), 200);
        CliRunner.Result result = CliRunner.run("eval", "--samples", samples.toString(), "--ref", samples.toString(),
                "--features", "fmnist", "--json", dir.resolve("s.json").toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        JsonObject scores = JsonParser.parseString(Files.readString(dir.resolve("s.json"))).getAsJsonObject();
        assertTrue(Math.abs(scores.get("fid").getAsDouble()) < 1e-3, scores.toString());
        assertEquals(1.0, scores.get("precision").getAsDouble(), 1e-12);
    }

    @Test
    void inceptionFeaturesFromImageFolder(@TempDir Path dir) throws IOException {
        // The narrow random-weight Inception of the evaluator's parity fixture: same topology, 1/8 of the channels.
        Path weights = Path.of("../eval-fid/src/test/resources/eval/inception_narrow.pth");
        Path folder = Files.createDirectories(dir.resolve("images"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < 6; i++) {
            byte[] rgb = new byte[48 * 48 * 3];
            for (int p = 0; p < rgb.length; p++) {
                rgb[p] = (byte) random.nextInt(256);
            }
            org.mutor.common.image.ImageFiles.write(folder.resolve("img" + i + ".png"), new RgbImage(48, 48, rgb));
        }
        Path stats = dir.resolve("ref.npz");
        CliRunner.Result built = CliRunner.run("eval", "stats", "--images", folder.toString(), "--out", stats.toString(),
                "--inception", weights.toString());
        assertEquals(ExitCodes.OK, built.exitCode(), built.err());
        CliRunner.Result result = CliRunner.run("eval", "--samples", folder.toString(), "--ref", stats.toString(),
                "--inception", weights.toString(), "--json", dir.resolve("s.json").toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        JsonObject scores = JsonParser.parseString(Files.readString(dir.resolve("s.json"))).getAsJsonObject();
        // Against its own statistics the FID vanishes up to the 1e-6 diagonal offset of the singular case.
        assertTrue(Math.abs(scores.get("fid").getAsDouble()) < 1e-2, scores.toString());
        assertTrue(scores.has("is"), scores.toString());
    }

    @Test
    void floatSampleFileIsOneLineError(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.npz");
        NpzWriter.write(bad, Map.of("arr_0", HostTensor.ofFloats(new long[] {2, 4, 4, 3}, new float[96])));
        CliRunner.Result result = CliRunner.run("eval", "--samples", bad.toString(), "--ref", bad.toString(),
                "--features", "fmnist");
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertEquals(1, result.err().strip().lines().count(), result.err());
        assertTrue(result.err().contains("uint8"), result.err());
    }

    @Test
    void missingInputsIsUsageError() {
        CliRunner.Result result = CliRunner.run("eval", "--samples", "x.npz");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().contains("--ref"), result.err());
    }

    /** Writes the first n images of a split as an ADM sample file, uint8 [n, 28, 28, 3]. */
    private static Path writeAdm(Path file, FashionMnist.Split split, int n) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(n * 28 * 28 * 3);
        for (int i = 0; i < n; i++) {
            RgbImage image = split.image(i);
            bytes.put(image.rgb());
        }
        bytes.flip();
        NpzWriter.write(file, Map.of("arr_0", HostTensor.contiguous("images", DType.UINT8, new long[] {n, 28, 28, 3},
                bytes)));
        return file;
    }
}
