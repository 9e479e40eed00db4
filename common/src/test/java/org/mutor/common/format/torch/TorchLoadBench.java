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
 * {@code java_mb_per_s=...} for the last pass (MB = 10^6 bytes of tensor data). Engine
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
        double rate = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int pass = 1; pass <= passes; pass++) {
                long start = System.nanoTime();
                Map<String, HostTensor> tensors = TorchFile.flatten(TorchFile.load(file));
                long bytes = 0;
                double checksum = 0;
                for (HostTensor tensor : tensors.values()) {
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray array = tensor.toNDArray(scope);
                        checksum += array.toType(DataType.FLOAT64, false).sum().getDouble();
                    }
                    bytes += tensor.byteSize();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                rate = bytes / 1e6 / seconds;
                System.out.printf(Locale.ROOT, "java pass %d: %d tensors, %.1f MB in %.3f s = %.1f MB/s, checksum %.6e%n",
                        pass, tensors.size(), bytes / 1e6, seconds, rate, checksum);
            }
        }
        System.out.printf(Locale.ROOT, "java_mb_per_s=%.1f%n", rate);
    }
}
