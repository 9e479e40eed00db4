package org.mutor.common.config;

/** An invalid configuration value or file; the message names the source, the key and the fix. */
public class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
