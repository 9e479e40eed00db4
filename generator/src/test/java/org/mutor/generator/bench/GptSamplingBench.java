package org.mutor.generator.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.engine.EngineSetup;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.sample.Sampler;
import org.mutor.generator.sample.SamplingOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Sampling throughput of a random-weight GPT on the engine: images/s at a batch size
 * with guidance, per-step decode latency, and the matmul peak for reference. Run by
 * bench/gpt_bench.sh next to its PyTorch peer; not a test.
 *
 * <p>Arguments: preset (gpt-b), batch (8), cfg (2.0), rounds (2), steps (0 = block_size).
 */
public final class GptSamplingBench {

    private GptSamplingBench() {
    }

    public static void main(String[] args) throws Exception {
        EngineSetup.offline();
        String preset = args.length > 0 ? args[0] : "gpt-b";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        double cfg = args.length > 2 ? Double.parseDouble(args[2]) : 2.0;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Device device = EngineSetup.start(EngineSetup.Options.defaults().withSeed(0));
        GptConfig config = GptConfig.preset(preset);
        System.out.printf(Locale.ROOT, "java: %s, %,d parameters, batch %d, cfg %.2f, threads %s%n", preset,
                config.parameterCount(), batch, cfg, System.getProperty("ai.djl.pytorch.num_threads"));
        double peak = matmulPeak(device);
        try (GptModel model = GptModel.initialize(config, device, 0, false)) {
            // The output head is zero at initialisation; random logits keep sampling realistic.
            model.parameters().get("output.weight").set(
                    model.manager().randomNormal(0, 0.02f, model.parameters().get("output.weight").getShape(),
                            ai.djl.ndarray.types.DataType.FLOAT32).toFloatArray());
            Sampler sampler = new Sampler(model);
            SamplingOptions options = new SamplingOptions(cfg, -1, 1.0, 0, 1.0);
            int[] labels = new int[batch];
            long[] indices = new long[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % config.numClasses();
                indices[i] = i;
            }
            long checksum = 0;
            double best = Double.MAX_VALUE;
            for (int r = 0; r < rounds + 1; r++) {
                long start = System.nanoTime();
                long[][] codes = sampler.sample(labels, indices, options, r);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (long[] row : codes) {
                    for (long c : row) {
                        checksum += c;
                    }
                }
                if (r > 0) { // round 0 warms up
                    best = Math.min(best, seconds);
                }
            }
            int steps = config.blockSize();
            System.out.printf(Locale.ROOT, "java: sampling %.3f s per batch, %.3f images/s, %.2f ms per decode step "
                    + "(checksum %d)%n", best, batch / best, 1000 * best / steps, checksum);
            // Decoding multiplies every weight with each of the (doubled) rows once per step.
            int rows = cfg > 1 ? 2 * batch : batch;
            double flopsPerStep = 2.0 * config.parameterCount() * rows;
            double achieved = flopsPerStep * steps / best / 1e9;
            System.out.printf(Locale.ROOT, "java: decoding reaches %.1f GFLOP/s, %.0f%% of the measured matmul peak%n",
                    achieved, 100 * achieved / peak);
            double weightBytes = 4.0 * config.parameterCount();
            System.out.printf(Locale.ROOT, "java: weight streaming %.1f GB/s (all weights read once per step)%n",
                    weightBytes * steps / best / 1e9);
        }
        System.out.printf(Locale.ROOT, "java: peak resident memory %.2f GB%n", peakRssGb());
    }

    private static double matmulPeak(Device device) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomNormal(new Shape(1024, 1024));
            NDArray b = m.randomNormal(new Shape(1024, 1024));
            a.matMul(b).close();
            int n = 20;
            long start = System.nanoTime();
            float touch = 0;
            for (int i = 0; i < n; i++) {
                try (NDArray c = a.matMul(b)) {
                    touch += c.getFloat(0, 0);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double gflops = 2.0 * 1024 * 1024 * 1024 * n / seconds / 1e9;
            System.out.printf(Locale.ROOT, "java: matmul 1024^3 %.1f GFLOP/s (%.1f)%n", gflops, touch);
            return gflops;
        }
    }

    private static double peakRssGb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
            }
        }
        return Double.NaN;
    }
}
