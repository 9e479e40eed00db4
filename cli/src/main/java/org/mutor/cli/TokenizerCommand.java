package org.mutor.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code mutor tokenizer}: train the VQ tokenizer, extract codes, encode, decode and reconstruct. */
@Command(name = "tokenizer",
        mixinStandardHelpOptions = true,
        description = "Train the VQ image tokenizer, extract code shards, and encode, decode or reconstruct images.",
        subcommands = {
            TokenizerTrainCommand.class,
            ExtractCodesCommand.class,
            TokenizerCodecCommands.Encode.class,
            TokenizerCodecCommands.Decode.class,
            TokenizerCodecCommands.Reconstruct.class,
        })
final class TokenizerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}
