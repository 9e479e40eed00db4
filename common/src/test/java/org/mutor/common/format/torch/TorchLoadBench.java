package org.mutor.common.format.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.mutor.common.engine.EngineSetup;
import org.mutor.common.tensor.HostTensor;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Times loading a torch.save checkpoint into engine arrays plus a float64 checksum of
 * every value; bench/torch_load_bench.py does the same in Python for comparison.
 *
 * <p>Usage: {@code TorchLoadBench FILE [PASSES]}. Prints one line per pass and finally
 * {@code java_mb_per_s=...}, the median pass (MB = 10^6 bytes of tensor data). Engine
 * start-up is outside the timed region, as Python's import of torch is.
 */
public final class TorchLoadBench {

    private TorchLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TorchLoadBench FILE [PASSES]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        EngineSetup.start(new EngineSetup.Options(2, 1, null, EngineSetup.DeviceChoice.CPU));
        double[] rates = new double[passes];
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int pass = 1; pass <= passes; pass++) {
                long start = System.nanoTime();
                Map<String, HostTensor> tensors = TorchFile.flatten(TorchFile.load(file));
                long parsed = System.nanoTime();
                long bytes = 0;
                long copyNanos = 0;
                double checksum = 0;
                for (HostTensor tensor : tensors.values()) {
                    try (NDManager scope = manager.newSubManager()) {
                        long copyStart = System.nanoTime();
                        NDArray array = tensor.toNDArray(scope);
                        copyNanos += System.nanoTime() - copyStart;
                        checksum += array.toType(DataType.FLOAT64, false).sum().getDouble();
                    }
                    bytes += tensor.byteSize();
                }
                long end = System.nanoTime();
                double seconds = (end - start) / 1e9;
                double rate = bytes / 1e6 / seconds;
                rates[pass - 1] = rate;
                System.out.printf(Locale.ROOT, "java pass %d: %d tensors, %.1f MB in %.3f s = %.1f MB/s, checksum %.6e"
                        + " (parse and map %.3f s, copy into engine %.3f s, checksum %.3f s)%n",
                        pass, tensors.size(), bytes / 1e6, seconds, rate, checksum, (parsed - start) / 1e9,
                        copyNanos / 1e9, (end - parsed - copyNanos) / 1e9);
            }
        }
        java.util.Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "java_mb_per_s=%.1f%n", rates[passes / 2]);
    }
}
