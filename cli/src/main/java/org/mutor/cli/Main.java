package org.mutor.cli;

import org.mutor.common.engine.EngineSetup;

import picocli.CommandLine;

/** Entry point of the {@code mutor} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Must precede every DJL class load: without it DJL's start-up contacts the network.
        EngineSetup.offline();
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; tests call this instead of main. */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    /** Builds the picocli command tree with the project's error handling. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new MutorCommand());
        ErrorHandler handler = new ErrorHandler();
        commandLine.setExecutionExceptionHandler(handler);
        commandLine.setParameterExceptionHandler(handler);
        return commandLine;
    }
}
