package org.mutor.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.format.numpy.Npy;
import org.mutor.common.tensor.HostTensor;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mutor gpt}: tools around a GPT checkpoint. */
@Command(name = "gpt",
        mixinStandardHelpOptions = true,
        description = "Tools around a GPT checkpoint.",
        subcommands = GptCommand.Logits.class)
final class GptCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /** {@code mutor gpt logits}: teacher-forced logits for given codes, also the basis of NLL. */
    @Command(name = "logits",
            mixinStandardHelpOptions = true,
            description = {
                "Write teacher-forced logits: entry i predicts token i from the class and the tokens before it.",
                "codes.npy holds [B, block_size] token ids, one row per class given; logits.npy receives float32 "
                        + "[B, block_size, vocab_size]. Also prints the mean negative log-likelihood per token."
            })
    static final class Logits implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        GptOptions gpt;

        @Mixin
        CommonOptions common;

        @Option(names = "--classes", required = true, split = ",", paramLabel = "C1,C2,...",
                description = "Class of each row of the codes.")
        int[] classes;

        @Option(names = "--codes", required = true, paramLabel = "FILE", description = "Token ids, .npy [B, block_size].")
        Path codes;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output logits, .npy.")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (gpt.gpt == null) {
                throw new ParameterException(spec.commandLine(), "missing --gpt CKPT");
            }
            HostTensor ids = Npy.read(codes);
            long[] shape = ids.shape();
            if (ids.dtype().isFloatingPoint() || shape.length != 2) {
                throw new IllegalArgumentException(codes + ": expected integer token ids of shape [B, block_size], got "
                        + ids.dtype().shortName() + " " + Arrays.toString(shape));
            }
            if (shape[0] != classes.length) {
                throw new IllegalArgumentException(codes + " has " + shape[0] + " rows but --classes gives "
                        + classes.length + " classes; give one class per row");
            }
            Device device = common.startEngine();
            try (GptModel model = gpt.load(device); NDManager m = model.manager().newSubManager()) {
                GptConfig config = model.config();
                if (shape[1] != config.blockSize()) {
                    throw new IllegalArgumentException(codes + " has rows of " + shape[1] + " tokens but the model's "
                            + "block_size is " + config.blockSize());
                }
                long[] tokens = ids.toLongArray();
                for (long t : tokens) {
                    if (t < 0 || t >= config.vocabSize()) {
                        throw new IllegalArgumentException(codes + " holds token id " + t + ", outside the vocabulary 0-"
                                + (config.vocabSize() - 1));
                    }
                }
                long[] labels = new long[classes.length];
                for (int i = 0; i < classes.length; i++) {
                    if (classes[i] < 0 || classes[i] >= config.numClasses()) {
                        throw new IllegalArgumentException("class " + classes[i] + " is outside this model's range 0-"
                                + (config.numClasses() - 1));
                    }
                    labels[i] = classes[i];
                }
                NDArray logits = model.teacherForcedLogits(m.create(labels), m.create(tokens, new Shape(shape)));
                Npy.write(out, HostTensor.fromNDArray(logits));
                // Mean NLL per token: -log softmax at the true token.
                NDArray logProbs = logits.logSoftmax(-1);
                NDArray picked = logProbs.gather(m.create(tokens, new Shape(shape[0], shape[1], 1)), 2);
                double nll = -picked.mean().getFloat();
                spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s %s; mean NLL %.4f nats per token%n", out,
                        logits.getShape(), nll);
            }
            return ExitCodes.OK;
        }
    }
}
