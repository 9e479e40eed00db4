package org.mutor.tokenizer.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.engine.EngineSetup;
import org.mutor.tokenizer.VqConfig;
import org.mutor.tokenizer.VqModel;
import org.mutor.tokenizer.VqWeights;

import java.util.Locale;

/**
 * Measures the throughput of a random-weight VQ tokenizer on the engine: encode and
 * decode of one batch of random images, each timed, reported as images/s for the
 * fastest round. Run by
 * bench/vq_bench.sh next to its PyTorch peer; not a test.
 *
 * <p>Arguments: preset (vq-16), image size (256), batch (4), rounds (2).
 */
public final class VqBench {

    private VqBench() {
    }

    public static void main(String[] args) {
        EngineSetup.offline();
        String preset = args.length > 0 ? args[0] : "vq-16";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Device device = EngineSetup.start(EngineSetup.Options.defaults().withSeed(0));
        VqConfig config = VqConfig.preset(preset);
        System.out.printf(Locale.ROOT, "java: %s, %,d parameters, %d px, batch %d, threads %s%n", preset,
                config.parameterCount(), size, batch, System.getProperty("ai.djl.pytorch.num_threads"));
        try (VqModel model = VqWeights.initialize(config, device, 0)) {
            double bestEncode = Double.MAX_VALUE / 2;
            double bestDecode = Double.MAX_VALUE / 2;
            long checksum = 0;
            // Round 0 warms up the engine and is not counted.
            for (int r = 0; r < rounds + 1; r++) {
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray images = m.randomUniform(-1f, 1f, new Shape(batch, 3, size, size), DataType.FLOAT32);
                    long start = System.nanoTime();
                    NDArray codes = model.encode(images);
                    long[] values = codes.toLongArray();
                    double encode = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    NDArray decoded = model.decode(codes);
                    float first = decoded.get(0, 0, 0, 0).getFloat();
                    double decode = (System.nanoTime() - start) / 1e9;
                    for (long v : values) {
                        checksum += v;
                    }
                    // The fastest counted round wins as a whole, so encode and decode come from the same round.
                    if (r > 0 && encode + decode < bestEncode + bestDecode) {
                        bestEncode = encode;
                        bestDecode = decode;
                    }
                    System.out.printf(Locale.ROOT, "java: round %d encode %.3f s, decode %.3f s (first pixel %.4f)%n",
                            r, encode, decode, first);
                }
            }
            double total = bestEncode + bestDecode;
            System.out.printf(Locale.ROOT, "java: encode %.2f images/s, decode %.2f images/s, encode+decode %.3f s "
                    + "per batch, %.3f images/s (checksum %d)%n", batch / bestEncode, batch / bestDecode, total,
                    batch / total, checksum);
        }
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "java: heap used %.2f GB%n", (rt.totalMemory() - rt.freeMemory()) / 1e9);
    }
}
