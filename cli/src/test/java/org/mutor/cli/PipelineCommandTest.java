package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** Input checks of {@code mutor pipeline}: each fails in one line before any stage runs. */
class PipelineCommandTest {

    private static final String CONFIG = "../configs/pipeline-fmnist.yaml";

    private static CliRunner.Result run(Path out, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "pipeline";
        args[1] = "--config";
        args[2] = CONFIG;
        args[3] = "--out=" + out;
        System.arraycopy(extra, 0, args, 4, extra.length);
        return CliRunner.run(args);
    }

    @Test
    void unknownMethodNamesValue(@TempDir Path dir) {
        Path out = dir.resolve("out");
        CliRunner.Result result = run(out, "--methods", "ntp,foo");
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("invalid method 'foo'; use ntp, ntp-equal-compute, mutor-1d or mutor-2d"),
                result.err());
        assertEquals(1, result.err().strip().lines().count(), result.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void nonPositiveCountsRejected(@TempDir Path dir) {
        String[][] cases = {
            {"--max-steps", "0", "invalid max_steps 0; use at least 1"},
            {"--eval-samples", "1", "invalid eval_samples 1; use at least 2"},
            {"--agreement-per-class", "-3", "invalid agreement_per_class -3; use at least 1"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve(c[0].substring(2));
            CliRunner.Result result = run(out, c[0], c[1]);
            assertEquals(ExitCodes.FAILURE, result.exitCode(), c[0]);
            assertTrue(result.err().contains(c[2]), result.err());
            assertFalse(Files.exists(out), "nothing written for " + c[0]);
        }
    }

    @Test
    void missingTokenizerNeedsTrainablePath(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        CliRunner.Result result = run(out, "--vq", dir.resolve("missing.pt").toString());
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("missing.pt not found"), result.err());
        assertFalse(Files.exists(out), "nothing written");

        Path bundled = dir.resolve("given/vq.safetensors");
        Files.createDirectories(bundled.getParent());
        Files.writeString(bundled, "x");
        assertFalse(PipelineCommand.needsTokenizerTraining(bundled), "a finished checkpoint is used as it is");
        Files.writeString(bundled.resolveSibling("train-state.safetensors"), "x");
        assertTrue(PipelineCommand.needsTokenizerTraining(bundled), "a training state means training resumes");
        assertTrue(PipelineCommand.needsTokenizerTraining(dir.resolve("new/vq.safetensors")));
    }

    @Test
    void equalComputeStepsFromPresets() throws Exception {
        org.mutor.common.config.YamlConfig yaml = org.mutor.common.config.YamlConfig.of("test", java.util.Map.of(
                "config_ntp", "../configs/fmnist-ntp.yaml", "config_mutor_2d", "../configs/fmnist-mutor2d.yaml"));
        assertEquals(4001, PipelineCommand.equalComputeSteps(yaml, 3000));
    }
}
