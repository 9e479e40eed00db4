package org.mutor.common.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A flat YAML mapping of configuration keys to values, read with SnakeYAML's safe
 * constructor (plain maps, lists, strings and numbers only). Typed getters name the
 * file and the key in their errors, and {@link #requireKnownKeys} rejects typos.
 */
public final class YamlConfig {

    private final String source;
    private final Map<String, Object> values;

    private YamlConfig(String source, Map<String, Object> values) {
        this.source = source;
        this.values = values;
    }

    /** An empty configuration, where every getter returns its default. */
    public static YamlConfig empty(String source) {
        return new YamlConfig(source, new LinkedHashMap<>());
    }

    /** Wraps an existing map (for example flags collected on the command line). */
    public static YamlConfig of(String source, Map<String, ?> map) {
        return new YamlConfig(source, new LinkedHashMap<>(map));
    }

    /**
     * Reads a YAML file whose top level is a mapping.
     *
     * @throws ConfigException when the file is missing, is not valid YAML, or is not a mapping
     */
    public static YamlConfig load(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Reads a preset bundled on the class path under {@code /configs/NAME.yaml}.
     *
     * @throws ConfigException listing the known presets when there is no such preset
     */
    public static YamlConfig preset(String name, List<String> known) {
        String resource = "/configs/" + name + ".yaml";
        try (InputStream in = YamlConfig.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigException("unknown preset '" + name + "'; known presets: " + String.join(", ", known));
            }
            return parse("preset " + name, new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("cannot read preset " + name + ": " + e.getMessage());
        }
    }

    private static YamlConfig parse(String source, Reader reader) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (YAMLException e) {
            throw new ConfigException(source + ": invalid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (root == null) {
            return empty(source);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException(source + ": expected a mapping of keys to values at the top level");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        map.forEach((k, v) -> values.put(String.valueOf(k), v));
        return new YamlConfig(source, values);
    }

    /** Returns a copy where the entries of {@code overrides} replace those of this config. */
    public YamlConfig withOverrides(YamlConfig overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides.values);
        return new YamlConfig(source + " + " + overrides.source, merged);
    }

    /** Returns a copy restricted to the given keys, for a config file that holds several sections' keys. */
    public YamlConfig subset(Set<String> keys) {
        Map<String, Object> kept = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (keys.contains(k)) {
                kept.put(k, v);
            }
        });
        return new YamlConfig(source, kept);
    }

    /**
     * Rejects keys outside {@code known}, naming the unknown ones and the accepted ones.
     *
     * @throws ConfigException when a key is not known
     */
    public YamlConfig requireKnownKeys(Set<String> known) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigException(source + ": unknown key(s) " + unknown + "; accepted keys: " + new TreeSet<>(known));
        }
        return this;
    }

    public String source() {
        return source;
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public int getInt(String key, int defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n && isIntegral(n)) {
            long l = n.longValue();
            if (l == (int) l) {
                return (int) l;
            }
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // Falls through to the error below.
            }
        }
        throw invalid(key, v, "an integer");
    }

    public long getLong(String key, long defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n && isIntegral(n)) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // Falls through to the error below.
            }
        }
        throw invalid(key, v, "an integer");
    }

    public double getDouble(String key, double defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            // YAML 1.1 reads "1e-4" (no dot) as a string.
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // Falls through to the error below.
            }
        }
        throw invalid(key, v, "a number");
    }

    /** Returns a number, or null when the key is absent or null. */
    public Double getOptionalDouble(String key) {
        return has(key) ? getDouble(key, 0) : null;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw invalid(key, v, "true or false");
    }

    public String getString(String key, String defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : String.valueOf(v);
    }

    /** Reads a list of integers, written as a YAML list or as a comma-separated string. */
    public int[] getIntList(String key, int[] defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue.clone();
        }
        List<Object> items = new ArrayList<>();
        if (v instanceof List<?> list) {
            items.addAll(list);
        } else if (v instanceof String s) {
            for (String part : s.replace("[", "").replace("]", "").split(",")) {
                if (!part.isBlank()) {
                    items.add(part.trim());
                }
            }
        } else {
            items.add(v);
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            Object item = items.get(i);
            try {
                out[i] = item instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(item));
            } catch (NumberFormatException e) {
                throw invalid(key, v, "a list of integers");
            }
        }
        return out;
    }

    /** True for integer types, and for other numbers (such as parsed JSON) holding a whole value. */
    private static boolean isIntegral(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            return true;
        }
        double d = n.doubleValue();
        return !(n instanceof Float || n instanceof Double) && d == Math.rint(d) && !Double.isInfinite(d);
    }

    private ConfigException invalid(String key, Object value, String expected) {
        return new ConfigException(source + ": key '" + key + "' has value '" + value + "', expected " + expected);
    }
}
