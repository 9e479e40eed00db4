package org.mutor.common.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

class YamlConfigTest {

    @Test
    void typedGettersAndDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "dim: 64\nlr: 1e-4\nname: tiny\nflag: true\nmult: [1, 2, 4]\n");
        YamlConfig c = YamlConfig.load(file);
        assertEquals(64, c.getInt("dim", 0));
        assertEquals(1e-4, c.getDouble("lr", 0), 0); // YAML 1.1 reads 1e-4 as a string
        assertEquals("tiny", c.getString("name", null));
        assertTrue(c.getBoolean("flag", false));
        assertArrayEquals(new int[] {1, 2, 4}, c.getIntList("mult", new int[0]));
        assertEquals(7, c.getInt("absent", 7));
        assertFalse(c.has("absent"));
    }

    @Test
    void unknownKeyNamesKeyAndAcceptedKeys() {
        YamlConfig c = YamlConfig.of("test", Map.of("dimm", 3));
        ConfigException e = assertThrows(ConfigException.class, () -> c.requireKnownKeys(Set.of("dim")));
        assertTrue(e.getMessage().contains("unknown key(s) [dimm]"), e.getMessage());
        assertTrue(e.getMessage().contains("accepted keys: [dim]"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyAndValue() {
        YamlConfig c = YamlConfig.of("test", Map.of("dim", "wide"));
        ConfigException e = assertThrows(ConfigException.class, () -> c.getInt("dim", 0));
        assertEquals("test: key 'dim' has value 'wide', expected an integer", e.getMessage());
        YamlConfig fractional = YamlConfig.of("test", Map.of("dim", 2.5));
        assertThrows(ConfigException.class, () -> fractional.getInt("dim", 0));
    }

    @Test
    void jsonNumbersReadAsIntegers() {
        Number parsed = JsonParser.parseString("{\"n\": 12}").getAsJsonObject().get("n").getAsNumber();
        YamlConfig c = YamlConfig.of("json", Map.of("n", parsed));
        assertEquals(12, c.getInt("n", 0));
        assertEquals(12L, c.getLong("n", 0));
    }

    @Test
    void overridesReplaceValues() {
        YamlConfig base = YamlConfig.of("base", Map.of("a", 1, "b", 2));
        YamlConfig merged = base.withOverrides(YamlConfig.of("flags", Map.of("b", 3)));
        assertEquals(1, merged.getInt("a", 0));
        assertEquals(3, merged.getInt("b", 0));
        assertEquals(List.of("a"), List.copyOf(base.subset(Set.of("a")).asMap().keySet()));
    }

    @Test
    void invalidYamlIsConfigException(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "dim: [1, 2\n");
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfig.load(file));
        assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
        assertThrows(ConfigException.class, () -> YamlConfig.load(dir.resolve("missing.yaml")));
    }
}
