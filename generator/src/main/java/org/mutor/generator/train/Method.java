package org.mutor.generator.train;

import org.mutor.common.config.ConfigException;

/** Training objective of a GPT run. */
public enum Method {
    /** Next-token prediction only: the LlamaGen baseline. */
    NTP("ntp"),
    /** Registers in raster order: the class token is the prompt, offsets d in 1..d_max. */
    MUTOR_1D("mutor-1d"),
    /** Registers with 2D offsets (d_h, d_w) in 1..d_max_2d, excluding (1, 1). */
    MUTOR_2D("mutor-2d");

    private final String key;

    Method(String key) {
        this.key = key;
    }

    /** Returns the YAML spelling. */
    public String key() {
        return key;
    }

    /** Parses the YAML spelling: ntp, mutor-1d or mutor-2d. */
    public static Method parse(String text) {
        for (Method m : values()) {
            if (m.key.equalsIgnoreCase(text)) {
                return m;
            }
        }
        throw new ConfigException("invalid method '" + text + "'; use ntp, mutor-1d or mutor-2d");
    }
}
