package org.mutor.lm;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.mutor.common.engine.EngineSetup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the fixtures written by tools/reference/make_lm_fixtures.py. */
final class Fixtures {

    static {
        EngineSetup.offline();
    }

    private Fixtures() {
    }

    static Path root() {
        try {
            return Path.of(Fixtures.class.getResource("/lm/reference.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path llama() {
        return root().resolve("tiny-llama");
    }

    static Path gemma() {
        return root().resolve("tiny-gemma");
    }

    static JsonObject reference() {
        try {
            return JsonParser.parseString(Files.readString(root().resolve("reference.json"), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Largest absolute difference divided by the largest absolute reference value. */
    static double relativeError(float[] actual, float[] expected) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return diff / scale;
    }
}
