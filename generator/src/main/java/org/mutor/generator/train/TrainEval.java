package org.mutor.generator.train;

import org.mutor.common.train.Losses;
import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.format.numpy.Npy;
import org.mutor.common.tensor.HostTensor;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.sample.Sampler;
import org.mutor.generator.sample.SamplingOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Validation NLL and sample grids during training; both run the model without registers. */
final class TrainEval {

    private TrainEval() {
    }

    /**
     * Returns the teacher-forced NLL per image token over view 0 of the split, with true labels.
     *
     * @param maxSamples cap on the images used, 0 for all
     */
    static double validationNll(GptModel model, CodeSplit split, int batch, int maxSamples) throws IOException {
        int total = maxSamples > 0 ? Math.min(maxSamples, split.size()) : split.size();
        int n = split.shards().tokens();
        double sum = 0;
        for (int start = 0; start < total; start += batch) {
            int b = Math.min(batch, total - start);
            long[] labels = new long[b];
            long[] codes = new long[b * n];
            for (int i = 0; i < b; i++) {
                int index = split.indices()[start + i];
                labels[i] = split.shards().label(index);
                int[] row = split.shards().codes(index, 0);
                for (int t = 0; t < n; t++) {
                    codes[i * n + t] = row[t];
                }
            }
            try (NDScope scope = new NDScope()) {
                NDManager m = model.manager();
                NDArray logits = model.teacherForcedLogits(EngineArrays.create(m, labels), EngineArrays.create(m, codes, new Shape(b, n)));
                sum += Losses.tokenNll(m, logits, codes).sum().getFloat();
            }
        }
        return sum / ((double) total * n);
    }

    /**
     * Samples {@code count} images for classes 0, 1, 2, ... (cycling), saves the codes as
     * {@code samples/step-NNNNNNN.npy} (int64 {@code [count, h, w]}) under {@code out}, and
     * hands them to the sink when there is one.
     */
    static Path samples(GptModel model, long step, int count, long seed, Path out, SampleSink sink)
            throws IOException {
        int classes = model.config().numClasses();
        int[] labels = new int[count];
        long[] indices = new long[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
            indices[i] = i;
        }
        long[][] codes = new Sampler(model).sample(labels, indices, SamplingOptions.defaults(), seed);
        int grid = model.config().gridSize();
        long[] flat = new long[count * grid * grid];
        for (int i = 0; i < count; i++) {
            System.arraycopy(codes[i], 0, flat, i * grid * grid, grid * grid);
        }
        Path dir = out.resolve("samples");
        Files.createDirectories(dir);
        Path file = dir.resolve(String.format("step-%07d.npy", step));
        Npy.write(file, HostTensor.ofLongs(new long[] {count, grid, grid}, flat));
        if (sink != null) {
            sink.accept(step, labels, codes, grid, grid);
        }
        return file;
    }
}
