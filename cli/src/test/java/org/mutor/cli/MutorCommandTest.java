package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MutorCommandTest {

    @Test
    void helpListsCommands() {
        CliRunner.Result result = CliRunner.run("--help");
        assertEquals(ExitCodes.OK, result.exitCode());
        assertTrue(result.out().contains("Usage: mutor"), result.out());
        assertTrue(result.out().contains("inspect"), result.out());
        assertTrue(result.out().contains("setup-gpu"), result.out());
    }

    @Test
    void versionNamesEngine() {
        CliRunner.Result result = CliRunner.run("--version");
        assertEquals(ExitCodes.OK, result.exitCode());
        assertTrue(result.out().startsWith("mutor "), result.out());
        assertTrue(result.out().contains("libtorch 2.7.1"), result.out());
    }

    @Test
    void unknownOptionIsUsageError() {
        CliRunner.Result result = CliRunner.run("--no-such-option");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().contains("--no-such-option"), result.err());
        assertEquals(2, result.err().strip().lines().count(), result.err());
    }

    @Test
    void setupGpuRefusesOfflineRun() {
        CliRunner.Result result = CliRunner.run("setup-gpu");
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("MUTOR_GPU=1 ./mutor setup-gpu"), result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace without -v: " + result.err());
    }
}
