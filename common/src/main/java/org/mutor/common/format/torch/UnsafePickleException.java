package org.mutor.common.format.torch;

import org.mutor.common.format.FormatException;

/**
 * A pickle that names a global outside the allow-list of checkpoint types. The reader
 * raises it at the GLOBAL opcode, before anything could be called, so nothing named
 * by the file ever runs.
 */
public class UnsafePickleException extends FormatException {

    private static final long serialVersionUID = 1L;

    private final String module;
    private final String name;

    public UnsafePickleException(String module, String name) {
        super("pickle names global '" + module + "." + name + "', which is not an allowed checkpoint type;"
                + " this reader never calls code from a file, so load only tensors, containers and plain values");
        this.module = module;
        this.name = name;
    }

    /** Python module of the rejected global, for example {@code posix}. */
    public String module() {
        return module;
    }

    /** Attribute name of the rejected global, for example {@code system}. */
    public String name() {
        return name;
    }
}
