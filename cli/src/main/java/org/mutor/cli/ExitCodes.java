package org.mutor.cli;

/** Exit codes of the {@code mutor} command. */
public final class ExitCodes {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command ran but failed: unreadable input, a failed computation. */
    public static final int FAILURE = 1;
    /** The command line itself is invalid: unknown option, bad value. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
