package org.mutor.cli;

import org.mutor.common.format.FileInspector;
import org.mutor.common.format.FileInspector.Inspection;
import org.mutor.common.format.FileInspector.TensorInfo;
import org.mutor.common.format.torch.ArgNamespace;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mutor inspect FILE}: prints the content tree of a checkpoint or array file. */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Print the keys, dtypes and shapes of a checkpoint or array file, with parameter count, bytes and "
                    + "plain values such as a checkpoint's args.",
            "Formats: torch.save (.pt, .pth, .bin; zip and pre-1.6), .safetensors, .npy, .npz. "
                    + "The format is recognised from the content, not the name."
        })
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "File to inspect.")
    Path file;

    @Option(names = "--stats", description = "Also print sum, sum of squares and the first values of each tensor "
            + "(reads every value; .npy and .npz data is never read, so they show no statistics).")
    boolean stats;

    private long tensors;
    private long elements;
    private long bytes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Inspection inspection = FileInspector.inspect(file);
        out.println(file + ": " + inspection.format().description());
        inspection.metadata().forEach((k, v) -> out.println("metadata " + k + " = " + v));
        Object tree = inspection.tree();
        print(out, tree instanceof Map ? "" : "(array)", tree);
        out.printf(Locale.ROOT, "total: %,d tensors, %,d elements, %s%n", tensors, elements, formatBytes(bytes));
        out.flush();
        return ExitCodes.OK;
    }

    /** Prints one line per leaf, named by its full key path with '/' between nesting levels. */
    private void print(PrintWriter out, String path, Object value) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> print(out, join(path, String.valueOf(k)), v));
        } else if (value instanceof List<?> list) {
            out.println(path + " = list of " + list.size());
            for (int i = 0; i < list.size(); i++) {
                print(out, join(path, Integer.toString(i)), list.get(i));
            }
        } else if (value instanceof ArgNamespace namespace) {
            out.println(path + " = argparse.Namespace of " + namespace.fields().size() + " fields");
            namespace.fields().forEach((k, v) -> print(out, join(path, k), v));
        } else if (value instanceof HostTensor tensor) {
            out.println(tensorLine(path, tensor.dtype(), tensor.shape()) + (stats ? "  " + stats(tensor) : ""));
            count(tensor.dtype(), tensor.shape());
        } else if (value instanceof TensorInfo info) {
            out.println(tensorLine(path, info.dtype(), info.shape()));
            count(info.dtype(), info.shape());
        } else if (value instanceof byte[] raw) {
            out.println(path + " = bytes[" + raw.length + "]");
        } else if (value instanceof String text) {
            out.println(path + " = '" + text + "'");
        } else {
            out.println(path + " = " + value);
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "/" + key;
    }

    private static String tensorLine(String path, DType dtype, long[] shape) {
        return String.format(Locale.ROOT, "%-40s %-9s %s", path, dtype.shortName(), Arrays.toString(shape));
    }

    private void count(DType dtype, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        tensors++;
        elements += n;
        bytes += n * dtype.byteSize();
    }

    private static String stats(HostTensor tensor) {
        double[] values = tensor.toDoubleArray();
        double sum = 0;
        double squares = 0;
        for (double v : values) {
            sum += v;
            squares += v * v;
        }
        double[] first = Arrays.copyOf(values, Math.min(values.length, 5));
        return String.format(Locale.ROOT, "sum=%.6g sumsq=%.6g first=%s", sum, squares, Arrays.toString(first));
    }

    static String formatBytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
