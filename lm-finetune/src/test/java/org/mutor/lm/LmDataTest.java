package org.mutor.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jsonl reading, the GSM8K template, length dropping, bad input and answer extraction. */
class LmDataTest {

    @TempDir
    Path dir;

    @Test
    void gsm8kLinesUseTheTemplateAndEos() throws IOException {
        Path file = dir.resolve("train.jsonl");
        Files.writeString(file, "{\"question\": \"Tom has 3 pens.\", \"answer\": \"3 + 1 = 4\\n#### 4\"}\n\n"
                + "{\"question\": \"" + "long ".repeat(200) + "\", \"answer\": \"1\"}\n");
        try (LmTokenizer tokenizer = LmTokenizer.open(Fixtures.llama())) {
            LmData.Loaded loaded = LmData.load(file, LmData.Fields.gsm8k(), tokenizer, 64, 2);
            assertEquals(1, loaded.examples().size());
            assertEquals(1, loaded.dropped());
            LmData.Example e = loaded.examples().get(0);
            assertArrayEquals(tokenizer.encode("Question: Tom has 3 pens.\n\nAnswer:", true), e.prompt());
            assertEquals(1, e.prompt()[0], "BOS first");
            assertEquals(2, e.target()[e.target().length - 1], "EOS last");
            assertEquals(" 3 + 1 = 4\n#### 4", tokenizer.decode(e.target()));
        }
    }

    @Test
    void genericFieldsAreUsedAsWritten() throws IOException {
        Path file = dir.resolve("g.jsonl");
        Files.writeString(file, "{\"in\": \"Say 7:\", \"out\": \"7\"}\n");
        try (LmTokenizer tokenizer = LmTokenizer.open(Fixtures.llama())) {
            LmData.Example e = LmData.load(file, LmData.Fields.of("in", "out"), tokenizer, 64, 2).examples().get(0);
            assertArrayEquals(tokenizer.encode("Say 7:", true), e.prompt());
        }
    }

    @Test
    void missingFieldNamesFileAndLine() throws IOException {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"question\": \"a\", \"answer\": \"1\"}\n{\"question\": \"b\"}\n");
        try (LmTokenizer tokenizer = LmTokenizer.open(Fixtures.llama())) {
            FormatException e = assertThrows(FormatException.class,
                    () -> LmData.load(file, LmData.Fields.gsm8k(), tokenizer, 64, 2));
            assertTrue(e.getMessage().startsWith(file + ":2: no text field 'answer'"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            Files.writeString(file, "not json\n");
            e = assertThrows(FormatException.class, () -> LmData.load(file, LmData.Fields.gsm8k(), tokenizer, 64, 2));
            assertTrue(e.getMessage().startsWith(file + ":1: "), e.getMessage());
        }
    }

    @Test
    void unsupportedArchitectureNamesTheFile() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"MistralForCausalLM\"], \"hidden_size\": 8}");
        FormatException e = assertThrows(FormatException.class, () -> CausalLm.load(dir, ai.djl.Device.cpu()));
        assertEquals(dir.resolve("config.json") + ": architecture 'MistralForCausalLM' is not supported; "
                + "supported are LlamaForCausalLM and GemmaForCausalLM", e.getMessage());
    }

    @Test
    void answersAreExtractedLikeGsm8k() {
        assertEquals("1234", AnswerExtractor.extract("so 1,000 + 234\n#### 1,234"));
        assertEquals("-5.5", AnswerExtractor.extract("it is 3 then -5.5."));
        assertEquals("42", AnswerExtractor.extract("#### 42 apples, not 7"));
        assertNull(AnswerExtractor.extract("no number"));
        assertTrue(AnswerExtractor.same("18.0", "18"));
        assertFalse(AnswerExtractor.same(null, "18"));
    }
}
