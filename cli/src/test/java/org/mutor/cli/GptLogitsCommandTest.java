package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;

/** {@code mutor gpt logits} against the PyTorch reference of the tiny GPT fixture. */
class GptLogitsCommandTest {

    private static final Path GPT = Path.of("../generator/src/test/resources/gpt");

    @Test
    void logitsMatchTorch(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("logits.npy");
        CliRunner.Result result = CliRunner.run("gpt", "logits", "--gpt", GPT.resolve("gpt_tiny.pt").toString(),
                "--gpt-config", GPT.resolve("gpt_tiny.yaml").toString(), "--classes", "3,7",
                "--codes", GPT.resolve("codes.npy").toString(), "--out", out.toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        HostTensor got = Npy.read(out);
        HostTensor want = Npy.read(GPT.resolve("logits.npy"));
        assertArrayEquals(want.shape(), got.shape());
        float[] g = got.toFloatArray();
        float[] w = want.toFloatArray();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < w.length; i++) {
            diff += (g[i] - w[i]) * (double) (g[i] - w[i]);
            norm += w[i] * (double) w[i];
        }
        assertTrue(Math.sqrt(diff / norm) < 1e-4, "relative error " + Math.sqrt(diff / norm));
        assertTrue(result.out().contains("mean NLL"), result.out());
    }

    @Test
    void rowCountMismatchIsOneLineError(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run("gpt", "logits", "--gpt", GPT.resolve("gpt_tiny.pt").toString(),
                "--gpt-config", GPT.resolve("gpt_tiny.yaml").toString(), "--classes", "3",
                "--codes", GPT.resolve("codes.npy").toString(), "--out", dir.resolve("x.npy").toString());
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("has 2 rows but --classes gives 1 classes"), result.err());
        assertEquals(1, result.err().strip().lines().count(), result.err());
    }

    @Test
    void classOutOfRangeNamesRange(@TempDir Path dir) {
        CliRunner.Result result = CliRunner.run("gpt", "logits", "--gpt", GPT.resolve("gpt_tiny.pt").toString(),
                "--gpt-config", GPT.resolve("gpt_tiny.yaml").toString(), "--classes", "3,207",
                "--codes", GPT.resolve("codes.npy").toString(), "--out", dir.resolve("x.npy").toString());
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("class 207 is outside this model's range 0-9"), result.err());
    }
}
