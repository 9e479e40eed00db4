package org.mutor.cli;

import org.mutor.mutor2d.GridLayout;
import org.mutor.mutor2d.GridOffset;
import org.mutor.mutor2d.LinearOffset;
import org.mutor.mutor2d.PromptAnswerLayout;
import org.mutor.mutor2d.RegisterLayout;
import org.mutor.mutor2d.RegisterMode;
import org.mutor.mutor2d.RegisterOffset;
import org.mutor.mutor2d.RegisterPlanTable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mutor registers}: shows how MuToR interleaves register tokens. */
@Command(name = "registers",
        mixinStandardHelpOptions = true,
        description = "Inspect MuToR register layouts.",
        subcommands = RegistersCommand.Show.class)
final class RegistersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /** {@code mutor registers show}: prints the slots, position ids, targets and attention mask of one plan. */
    @Command(name = "show",
            mixinStandardHelpOptions = true,
            description = {
                "Print a register plan as a table: each slot (real token or register), its position id and target, "
                        + "then the attention mask (x = may attend).",
                "2D (images): --grid HxW --offset DH,DW. 1D (text, or MuToR-1D on images): --prompt P --answer A "
                        + "--offset D."
            })
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--grid", paramLabel = "HxW", description = "Image token grid, for example 4x4 (2D layout).")
        String grid;

        @Option(names = "--prompt", paramLabel = "P", description = "Prompt length (1D layout).")
        Integer prompt;

        @Option(names = "--answer", paramLabel = "A", description = "Answer length (1D layout).")
        Integer answer;

        @Option(names = "--causal-prompt", description = "1D only: causal attention inside the prompt "
                + "(default: bidirectional, as MuToR's text fine-tuning uses).")
        boolean causalPrompt;

        @Option(names = "--offset", paramLabel = "D|DH,DW",
                description = "Register offset: D for 1D, DH,DW for 2D (each from 1; 2D excludes 1,1).")
        String offset;

        @Option(names = "--mode", defaultValue = "full", paramLabel = "full|sparse|none",
                description = "Registers before every valid token (full), K at random valid places (sparse), "
                        + "or none (next-token prediction only). Default: ${DEFAULT-VALUE}.")
        String mode;

        @Option(names = "--registers", defaultValue = "4", paramLabel = "K",
                description = "Register count in sparse mode. Default: ${DEFAULT-VALUE}.")
        int registers;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
                description = "Seed of the sparse placement. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public Integer call() {
            RegisterMode registerMode = parseMode();
            RegisterLayout layout;
            RegisterOffset registerOffset = null;
            if (grid != null) {
                if (prompt != null || answer != null) {
                    throw usage("give either --grid (2D) or --prompt and --answer (1D), not both");
                }
                layout = GridLayout.parse(grid);
                if (registerMode != RegisterMode.NONE) {
                    registerOffset = GridOffset.parse(requireOffset());
                }
            } else if (prompt != null && answer != null) {
                layout = new PromptAnswerLayout(prompt, answer, !causalPrompt);
                if (registerMode != RegisterMode.NONE) {
                    registerOffset = LinearOffset.parse(requireOffset());
                }
            } else {
                throw usage("missing layout: give --grid HxW (2D) or --prompt P --answer A (1D)");
            }
            spec.commandLine().getOut().println(
                    RegisterPlanTable.show(layout, registerOffset, registerMode, registers, seed));
            return ExitCodes.OK;
        }

        private RegisterMode parseMode() {
            try {
                return RegisterMode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw usage("invalid --mode '" + mode + "'; use full, sparse or none");
            }
        }

        private String requireOffset() {
            if (offset == null) {
                throw usage("missing --offset (D for 1D, DH,DW for 2D)");
            }
            return offset;
        }

        private ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }
    }
}
