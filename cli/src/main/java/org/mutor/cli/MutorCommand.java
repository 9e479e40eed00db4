package org.mutor.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** The root {@code mutor} command: lists the subcommands. */
@Command(name = "mutor",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Autoregressive image generation with MuToR register tokens, on the JVM.",
        subcommands = {
            GenerateCommand.class,
            TrainCommand.class,
            PipelineCommand.class,
            InspectCommand.class,
            RegistersCommand.class,
            GptCommand.class,
            EvalCommand.class,
            TokenizerCommand.class,
            LmCommand.class,
            SetupGpuCommand.class,
        })
public final class MutorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print stack traces on errors and debug logs.")
    void setVerbose(boolean verbose) {
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
