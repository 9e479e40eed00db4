package org.mutor.cli;

import ai.djl.Device;
import org.mutor.lm.CausalLm;
import org.mutor.lm.LmData;
import org.mutor.lm.LmEval;
import org.mutor.lm.LmFinetune;
import org.mutor.lm.LmTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mutor lm}: text LM fine-tuning with 1D registers (MuToR-1D) and its evaluation. */
@Command(name = "lm",
        mixinStandardHelpOptions = true,
        description = "Fine-tune and evaluate Hugging Face Llama/Gemma models on prompt/answer data.",
        subcommands = {LmCommand.Finetune.class, LmCommand.Eval.class})
final class LmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /** Model folder and jsonl field options shared by both subcommands. */
    static final class InputOptions {

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder.")
        Path model;

        @Option(names = "--prompt-field", paramLabel = "NAME",
                description = "Field holding the prompt, used as written (default: GSM8K's 'question' in its template).")
        String promptField;

        @Option(names = "--answer-field", paramLabel = "NAME", description = "Field holding the answer (default: answer).")
        String answerField;

        LmData.Fields fields() {
            return LmData.Fields.of(promptField, answerField);
        }
    }

    /** {@code mutor lm finetune}. */
    @Command(name = "finetune",
            mixinStandardHelpOptions = true,
            description = {
                "Fully fine-tune an LM with next-token prediction (ntp) or MuToR registers (mutor).",
                "The prompt attends to itself bidirectionally for both methods. AdamW (0.9, 0.999), no weight decay, "
                        + "linear warm-up over 10% of the steps then linear decay, clipping at 1.0.",
                "Writes OUT/train-state.safetensors after every epoch (for --resume), OUT/metrics.csv, and the final "
                        + "model as a Hugging Face folder in OUT (without the register embedding)."
            })
    static final class Finetune implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common;

        @Mixin
        InputOptions inputs;

        @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training jsonl.")
        Path data;

        @Option(names = "--method", defaultValue = "mutor", paramLabel = "ntp|mutor",
                description = "Training objective. Default: ${DEFAULT-VALUE}.")
        String method;

        @Option(names = "--d-max", defaultValue = "4", paramLabel = "D",
                description = "Largest register offset. Default: ${DEFAULT-VALUE}.")
        int dMax;

        @Option(names = "--alpha", defaultValue = "0.3", paramLabel = "A",
                description = "Register loss weight a in (1 - a) L_ntp + a L_reg. Default: ${DEFAULT-VALUE}.")
        double alpha;

        @Option(names = "--lr", defaultValue = "5e-5", paramLabel = "LR", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
        double lr;

        @Option(names = "--epochs", defaultValue = "5", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Option(names = "--batch-size", defaultValue = "10", paramLabel = "B",
                description = "Examples per micro-batch (padded). Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Option(names = "--grad-accum", defaultValue = "1", paramLabel = "K",
                description = "Micro-batches per optimizer step. Default: ${DEFAULT-VALUE}.")
        int gradAccum;

        @Option(names = "--max-length", defaultValue = "512", paramLabel = "N",
                description = "Longer examples are dropped (and counted), never cut. Default: ${DEFAULT-VALUE}.")
        int maxLength;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
        Path out;

        @Option(names = "--resume", description = "Continue from OUT/train-state.safetensors when it exists.")
        boolean resume;

        @Override
        public Integer call() throws Exception {
            if (!method.equals("ntp") && !method.equals("mutor")) {
                throw new ParameterException(spec.commandLine(), "--method must be ntp or mutor, not '" + method + "'");
            }
            LmFinetune.Options options = new LmFinetune.Options(inputs.model, data, inputs.fields(),
                    method.equals("mutor"), dMax, alpha, lr, epochs, batchSize, gradAccum, maxLength, out, resume,
                    common.seed);
            Device device = common.startEngine();
            PrintWriter o = spec.commandLine().getOut();
            LmFinetune.Summary s = LmFinetune.run(options, device, line -> {
                o.println(line);
                o.flush();
            });
            o.printf(Locale.ROOT, "done: %d steps on %d examples, last loss %.4f%n", s.steps(), s.examples(), s.lastLoss());
            return ExitCodes.OK;
        }
    }

    /** {@code mutor lm eval}. */
    @Command(name = "eval",
            mixinStandardHelpOptions = true,
            description = {
                "Held-out loss (mean NLL per answer token) and greedy-decoding accuracy on GSM8K-style data.",
                "The answer is the number after '####', else the last number; commas are ignored."
            })
    static final class Eval implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        CommonOptions common;

        @Mixin
        InputOptions inputs;

        @Option(names = "--data", required = true, paramLabel = "FILE", description = "Test jsonl.")
        Path data;

        @Option(names = "--out", paramLabel = "FILE", description = "Predictions jsonl to write.")
        Path out;

        @Option(names = "--max-new-tokens", defaultValue = "256", paramLabel = "N",
                description = "Generation limit per question. Default: ${DEFAULT-VALUE}.")
        int maxNewTokens;

        @Option(names = "--max-length", defaultValue = "512", paramLabel = "N",
                description = "Longer examples are skipped for the loss and counted. Default: ${DEFAULT-VALUE}.")
        int maxLength;

        @Option(names = "--batch-size", defaultValue = "8", paramLabel = "B",
                description = "Batch size of the loss pass. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Override
        public Integer call() throws Exception {
            if (maxNewTokens < 1 || batchSize < 1) {
                throw new ParameterException(spec.commandLine(), "--max-new-tokens and --batch-size must be at least 1");
            }
            Device device = common.startEngine();
            PrintWriter o = spec.commandLine().getOut();
            try (CausalLm lm = CausalLm.load(inputs.model, device); LmTokenizer tokenizer = LmTokenizer.open(inputs.model)) {
                LmData.Loaded loaded = LmData.load(data, inputs.fields(), tokenizer, maxLength, lm.config().eosId());
                double loss = LmEval.heldOutLoss(lm, loaded.examples(), batchSize);
                List<LmEval.Prediction> predictions = LmEval.predict(lm, tokenizer, loaded.examples(), maxNewTokens, null);
                double accuracy = LmEval.accuracy(predictions);
                if (out != null) {
                    LmEval.writePredictions(out, predictions);
                }
                long correct = predictions.stream().filter(LmEval.Prediction::correct).count();
                o.printf(Locale.ROOT, "examples %d (dropped %d), held-out loss %.4f, accuracy %.4f (%d/%d)%n",
                        predictions.size(), loaded.dropped(), loss, accuracy, correct, predictions.size());
            }
            return ExitCodes.OK;
        }
    }
}
