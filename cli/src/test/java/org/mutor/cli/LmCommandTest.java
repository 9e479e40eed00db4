package org.mutor.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mutor lm}: one-line errors for bad input, and an evaluation run on the tiny Llama fixture. */
class LmCommandTest {

    static {
        EngineSetup.offline();
    }

    private static final Path LLAMA = Path.of("../lm-finetune/src/test/resources/lm/tiny-llama").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void unsupportedArchitectureIsOneLine() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
        Files.writeString(dir.resolve("d.jsonl"), "{\"question\": \"q\", \"answer\": \"1\"}\n");
        CliRunner.Result r = CliRunner.run("lm", "eval", "--model", dir.toString(), "--data",
                dir.resolve("d.jsonl").toString());
        assertEquals(ExitCodes.FAILURE, r.exitCode());
        assertEquals("mutor: error: " + dir.resolve("config.json") + ": architecture 'GPT2LMHeadModel' is not "
                + "supported; supported are LlamaForCausalLM and GemmaForCausalLM\n", r.err());
    }

    @Test
    void jsonlLineWithoutFieldsIsOneLine() throws IOException {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, "{\"question\": \"q\", \"answer\": \"1\"}\n{\"prompt\": \"q\"}\n");
        CliRunner.Result r = CliRunner.run("lm", "finetune", "--model", LLAMA.toString(), "--data", data.toString(),
                "--out", dir.resolve("out").toString(), "--threads", "2");
        assertEquals(ExitCodes.FAILURE, r.exitCode());
        assertTrue(r.err().startsWith("mutor: error: " + data + ":2: no text field 'question'"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void evalWritesPredictions() throws IOException {
        Path data = dir.resolve("test.jsonl");
        Files.writeString(data, "{\"question\": \"Tom has 2 pens.\", \"answer\": \"#### 2\"}\n");
        Path out = dir.resolve("pred.jsonl");
        CliRunner.Result r = CliRunner.run("lm", "eval", "--model", LLAMA.toString(), "--data", data.toString(),
                "--out", out.toString(), "--max-new-tokens", "4", "--threads", "2");
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("examples 1 (dropped 0), held-out loss "), r.out());
        String line = Files.readString(out);
        assertTrue(line.contains("\"question\":\"Tom has 2 pens.\"") && line.contains("\"correct\":"), line);
    }
}
