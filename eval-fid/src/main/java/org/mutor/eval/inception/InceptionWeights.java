package org.mutor.eval.inception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights of the FID Inception-v3, loaded strictly from a {@code torch.save} state dict
 * and prepared for inference: each batch norm is folded into its convolution
 * ({@code w' = w * g / sqrt(var + 0.001)}, {@code b' = beta - mean * g / sqrt(var + 0.001)}).
 *
 * <p>Accepted files: pytorch-fid's {@value #PYTORCH_FID_FILE} (pre-1.6 torch format) and
 * torch-fidelity's {@value #TORCH_FIDELITY_FILE}. Both name modules as torchvision's
 * Inception-v3 does ({@code Conv2d_1a_3x3.conv.weight}, {@code Mixed_5b.branch1x1.bn.running_var},
 * ..., {@code fc.weight}); they differ only in whether batch norms carry
 * {@code num_batches_tracked}, which inference ignores ({@link #canonicalKey}).
 */
public final class InceptionWeights implements AutoCloseable {

    /** pytorch-fid's file name for the December 2015 weights. */
    public static final String PYTORCH_FID_FILE = "pt_inception-2015-12-05-6726825d.pth";
    /** torch-fidelity's file name for the same weights. */
    public static final String TORCH_FIDELITY_FILE = "weights-inception-2015-12-05-6726825d.pth";
    /** Batch-norm epsilon of the TensorFlow graph. */
    public static final float BN_EPS = 0.001f;

    private final InceptionLayout layout;
    private final Map<String, NDArray[]> convs;
    private final NDArray fcWeight;
    private final NDArray fcBias;
    private final NDManager manager;

    private InceptionWeights(InceptionLayout layout, Map<String, NDArray[]> convs, NDArray fcWeight, NDArray fcBias,
                             NDManager manager) {
        this.layout = layout;
        this.convs = convs;
        this.fcWeight = fcWeight;
        this.fcBias = fcBias;
        this.manager = manager;
    }

    /**
     * Maps a key of either released file to the name used here, or returns null for
     * entries inference ignores. The one place where checkpoint key names are mapped.
     */
    static String canonicalKey(String key) {
        if (key.endsWith(".num_batches_tracked")) {
            return null;
        }
        return key;
    }

    /**
     * Finds the weights: {@code explicit} when not null, else either released file name in
     * {@code $MUTOR_HOME} (default {@code ~/.cache/mutor}) or its {@code models} folder.
     *
     * @throws NoSuchFileException naming the places searched
     */
    public static Path locate(Path explicit) throws NoSuchFileException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new NoSuchFileException(explicit.toString(), null, "Inception weights file not found");
            }
            return explicit;
        }
        String home = System.getenv("MUTOR_HOME");
        Path root = home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".cache", "mutor");
        List<Path> tried = new ArrayList<>();
        for (Path folder : new Path[] {root, root.resolve("models")}) {
            for (String name : new String[] {PYTORCH_FID_FILE, TORCH_FIDELITY_FILE}) {
                Path candidate = folder.resolve(name);
                tried.add(candidate);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        throw new NoSuchFileException(root.toString(), null, "no Inception weights; put " + PYTORCH_FID_FILE
                + " (pytorch-fid) or " + TORCH_FIDELITY_FILE + " (torch-fidelity) there or pass --inception FILE; tried "
                + tried);
    }

    /**
     * Loads and validates a state dict; the width divisor is read from the first
     * convolution (32 output channels in the released network).
     *
     * @throws FormatException naming missing or unexpected keys, or a key with the wrong shape
     */
    public static InceptionWeights load(Path file, NDManager parent) throws IOException {
        Map<String, HostTensor> raw = TorchFile.flatten(TorchFile.loadDict(file, null));
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            String key = canonicalKey(k);
            if (key != null) {
                tensors.put(key, v);
            }
        });
        HostTensor first = tensors.get("Conv2d_1a_3x3.conv.weight");
        if (first == null || first.rank() != 4 || first.shape()[0] < 1 || 32 % first.shape()[0] != 0) {
            throw new FormatException(file + ": no usable 'Conv2d_1a_3x3.conv.weight' (found " + first
                    + "); expected a state dict of the FID Inception-v3 such as " + PYTORCH_FID_FILE);
        }
        InceptionLayout layout = new InceptionLayout((int) (32 / first.shape()[0]));
        Map<String, long[]> expected = layout.expectedShapes();
        List<String> missing = new ArrayList<>();
        for (String key : expected.keySet()) {
            if (!tensors.containsKey(key)) {
                missing.add(key);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : tensors.keySet()) {
            if (!expected.containsKey(key)) {
                unexpected.add(key);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new FormatException(file + ": not the FID Inception-v3 state dict; missing keys " + head(missing)
                    + ", unexpected keys " + head(unexpected));
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] actual = tensors.get(e.getKey()).shape();
            if (!Arrays.equals(actual, e.getValue())) {
                throw new FormatException(file + ": '" + e.getKey() + "' has shape " + Arrays.toString(actual)
                        + ", expected " + Arrays.toString(e.getValue()) + " (width divisor " + layout.divisor() + ")");
            }
        }
        NDManager manager = parent.newSubManager();
        Map<String, NDArray[]> convs = new LinkedHashMap<>();
        for (InceptionLayout.Conv conv : layout.convs().values()) {
            String p = conv.name();
            try (NDManager tmp = manager.newSubManager()) {
                NDArray w = f32(tensors.get(p + ".conv.weight"), tmp);
                NDArray gamma = f32(tensors.get(p + ".bn.weight"), tmp);
                NDArray beta = f32(tensors.get(p + ".bn.bias"), tmp);
                NDArray mean = f32(tensors.get(p + ".bn.running_mean"), tmp);
                NDArray var = f32(tensors.get(p + ".bn.running_var"), tmp);
                // scale [out] = gamma / sqrt(var + eps)
                NDArray scale = gamma.div(var.add(BN_EPS).sqrt());
                NDArray folded = w.mul(scale.reshape(-1, 1, 1, 1));
                NDArray bias = beta.sub(mean.mul(scale));
                folded.attach(manager);
                bias.attach(manager);
                convs.put(p, new NDArray[] {folded, bias});
            }
        }
        NDArray fcWeight = f32(tensors.get("fc.weight"), manager);
        NDArray fcBias = f32(tensors.get("fc.bias"), manager);
        return new InceptionWeights(layout, convs, fcWeight, fcBias, manager);
    }

    private static NDArray f32(HostTensor t, NDManager manager) {
        NDArray a = t.toNDArray(manager);
        return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
    }

    private static String head(List<String> keys) {
        if (keys.isEmpty()) {
            return "none";
        }
        int n = Math.min(keys.size(), 6);
        String listed = String.join(", ", keys.subList(0, n));
        return keys.size() > n ? listed + " and " + (keys.size() - n) + " more" : "[" + listed + "]";
    }

    public InceptionLayout layout() {
        return layout;
    }

    /** Folded convolution weight {@code [out, in, kh, kw]} and bias {@code [out]} of a module. */
    NDArray[] conv(String name) {
        return convs.get(name);
    }

    /** Classifier weight {@code [1008, pool]}; its bias is not used for IS. */
    NDArray fcWeight() {
        return fcWeight;
    }

    NDArray fcBias() {
        return fcBias;
    }

    @Override
    public void close() {
        manager.close();
    }
}
