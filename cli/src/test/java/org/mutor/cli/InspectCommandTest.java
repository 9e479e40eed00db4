package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code mutor inspect} on the torch.save fixtures that PyTorch 2.7.1 wrote. */
class InspectCommandTest {

    private static final Path TORCH = Path.of("../common/src/test/resources/torch");
    private static final Path NUMPY = Path.of("../common/src/test/resources/numpy");

    @ParameterizedTest
    @ValueSource(strings = {"everything_zip", "everything_legacy", "llamagen_like"})
    void listsKeysDtypesAndShapesAsTorchLoad(String name) throws IOException {
        CliRunner.Result result = CliRunner.run("inspect", TORCH.resolve(name + ".pt").toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        Map<String, String[]> lines = tensorLines(result.out());
        JsonObject expected = JsonParser.parseString(
                Files.readString(TORCH.resolve(name + ".expected.json"))).getAsJsonObject();
        JsonObject tensors = expected.getAsJsonObject("tensors");
        assertEquals(tensors.size(), lines.size(), "tensor count in:\n" + result.out());
        for (Map.Entry<String, JsonElement> e : tensors.entrySet()) {
            String[] line = lines.get(e.getKey());
            assertTrue(line != null, "no line for " + e.getKey() + " in:\n" + result.out());
            JsonObject want = e.getValue().getAsJsonObject();
            assertEquals(want.get("dtype").getAsString().replace("torch.", ""), line[0], e.getKey());
            assertEquals(want.get("shape").toString().replace(",", ", "), line[1], e.getKey());
        }
    }

    @Test
    void printsPlainValuesOfArgs() {
        CliRunner.Result result = CliRunner.run("inspect", TORCH.resolve("llamagen_like.pt").toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertTrue(result.out().contains("args = argparse.Namespace"), result.out());
    }

    @Test
    void maliciousGlobalIsRejectedByName() {
        CliRunner.Result result = CliRunner.run("inspect", TORCH.resolve("malicious_system.pt").toString());
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("system"), result.err());
        assertEquals(1, result.err().strip().lines().count(), "one line: " + result.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"truncated_zip.pt", "truncated_legacy.pt"})
    void truncatedFileIsOneLineError(String name) {
        CliRunner.Result result = CliRunner.run("inspect", TORCH.resolve(name).toString());
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertEquals(1, result.err().strip().lines().count(), "one line: " + result.err());
        assertFalse(result.err().contains("\tat "), result.err());
    }

    @Test
    void verboseFlagAddsStackTrace() {
        CliRunner.Result result = CliRunner.run("inspect", "-v", TORCH.resolve("truncated_zip.pt").toString());
        assertEquals(ExitCodes.FAILURE, result.exitCode());
        assertTrue(result.err().contains("\tat "), result.err());
    }

    @Test
    void npzListsEntriesWithoutReadingData() {
        CliRunner.Result result = CliRunner.run("inspect", NUMPY.resolve("savez.npz").toString());
        assertEquals(ExitCodes.OK, result.exitCode(), result.err());
        assertTrue(result.out().contains("NumPy .npz"), result.out());
        assertEquals("[6, 4, 4, 3]", tensorLines(result.out()).get("arr_0")[1]);
    }

    @Test
    void unknownFormatAndMissingFileFail(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.pt");
        Files.writeString(text, "not a checkpoint at all");
        CliRunner.Result unknown = CliRunner.run("inspect", text.toString());
        assertEquals(ExitCodes.FAILURE, unknown.exitCode());
        assertTrue(unknown.err().contains("unrecognised file format"), unknown.err());
        CliRunner.Result missing = CliRunner.run("inspect", dir.resolve("absent.pt").toString());
        assertEquals(ExitCodes.FAILURE, missing.exitCode());
        assertTrue(missing.err().contains("file not found"), missing.err());
    }

    /** Maps key path to {dtype, shape} for every tensor line of the output. */
    private static Map<String, String[]> tensorLines(String out) {
        Map<String, String[]> lines = new HashMap<>();
        for (String line : out.split("\n")) {
            int bracket = line.indexOf(" [");
            if (bracket < 0 || line.contains(" = ") || line.startsWith("total:")) {
                continue;
            }
            String[] head = line.substring(0, bracket).trim().split("\\s+");
            if (head.length != 2) {
                continue;
            }
            lines.put(head[0], new String[] {head[1], line.substring(bracket + 1).trim()});
        }
        return lines;
    }
}
