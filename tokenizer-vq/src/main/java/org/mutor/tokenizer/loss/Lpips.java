package org.mutor.tokenizer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.EngineArrays;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The LPIPS perceptual distance with a VGG16 backbone: inputs in [-1, 1] are shifted and
 * scaled per channel, run through the VGG16 {@code features} convolutions, and at the
 * taps relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3 each feature vector is scaled to
 * unit length over channels; the squared difference of the two images' taps is weighted
 * per channel by a nonnegative 1x1 head, averaged over space and summed over taps.
 *
 * <p>The weights are frozen: they record no gradient, but the distance is differentiable
 * with respect to both images. The channel widths come from the weight files, so a
 * narrower network with the same layer indices also loads.
 *
 * <p>The unit normalisation divides by {@code sqrt(sum c^2 + 1e-20) + 1e-10}; the lpips
 * package adds only the second epsilon, which gives an infinite gradient at a position
 * where every channel is zero after the ReLU. The values differ by under 1e-10.
 */
public final class Lpips implements AutoCloseable {

    /** VGG16 {@code features} layout: output channels of each 3x3 conv, 0 for a 2x2 max pool. */
    private static final int[] LAYOUT = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512};
    /** Indices in {@code features} of the ReLUs whose outputs are compared. */
    private static final List<Integer> TAPS = List.of(3, 8, 15, 22, 29);
    private static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
    private static final float[] SCALE = {0.458f, 0.448f, 0.450f};
    private static final Shape ONE = new Shape(1, 1);
    private static final Shape TWO = new Shape(2, 2);
    private static final Shape NO_PAD = new Shape(0, 0);

    private final NDManager manager;
    /** conv weight and bias by {@code features} index. */
    private final Map<Integer, NDArray[]> convs = new LinkedHashMap<>();
    private final List<NDArray> heads = new ArrayList<>();
    private final NDArray shift;
    private final NDArray scale;

    private Lpips(NDManager parent, Map<String, HostTensor> vgg, Map<String, HostTensor> lin, Path vggFile,
                  Path linFile) throws FormatException {
        this.manager = parent.newSubManager();
        try {
            int index = 0;
            long cin = 3;
            List<Long> tapChannels = new ArrayList<>();
            for (int c : LAYOUT) {
                if (c == 0) {
                    index++;
                    continue;
                }
                HostTensor w = vgg.get("features." + index + ".weight");
                HostTensor b = vgg.get("features." + index + ".bias");
                long cout = w.shape()[0];
                requireShape(vggFile, "features." + index + ".weight", w, new long[] {cout, cin, 3, 3});
                requireShape(vggFile, "features." + index + ".bias", b, new long[] {cout});
                convs.put(index, new NDArray[] {w.toNDArray(manager), b.toNDArray(manager)});
                if (TAPS.contains(index + 1)) {
                    tapChannels.add(cout);
                }
                cin = cout;
                index += 2;
            }
            for (int k = 0; k < TAPS.size(); k++) {
                String key = "lin" + k + ".model.1.weight";
                HostTensor h = lin.get(key);
                requireShape(linFile, key, h, new long[] {1, tapChannels.get(k), 1, 1});
                for (double v : h.toDoubleArray()) {
                    if (!(v >= 0)) {
                        throw new FormatException(linFile + ": '" + key + "' contains " + v
                                + "; LPIPS heads must be nonnegative, use the lpips package's vgg.pth");
                    }
                }
                heads.add(h.toNDArray(manager));
            }
            shift = EngineArrays.create(manager, SHIFT, new Shape(1, 3, 1, 1));
            scale = EngineArrays.create(manager, SCALE, new Shape(1, 3, 1, 1));
        } catch (RuntimeException | FormatException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads torchvision's VGG16 state dict ({@code features.N.weight/bias}; {@code classifier.*}
     * entries are ignored) and the lpips package's heads ({@code linK.model.1.weight}).
     *
     * @param manager parent of the manager that will own the weights
     * @throws FormatException when a key is missing or unexpected, or a shape does not fit
     */
    public static Lpips load(Path vggFile, Path linFile, NDManager manager) throws IOException {
        Map<String, HostTensor> vgg = TorchFile.flatten(TorchFile.loadDict(vggFile, null));
        Map<String, HostTensor> lin = TorchFile.flatten(TorchFile.loadDict(linFile, null));
        TreeSet<String> vggKeys = new TreeSet<>();
        int index = 0;
        for (int c : LAYOUT) {
            if (c != 0) {
                vggKeys.add("features." + index + ".weight");
                vggKeys.add("features." + index + ".bias");
                index += 2;
            } else {
                index++;
            }
        }
        TreeSet<String> linKeys = new TreeSet<>();
        for (int k = 0; k < TAPS.size(); k++) {
            linKeys.add("lin" + k + ".model.1.weight");
        }
        checkKeys(vggFile, vgg, vggKeys, "classifier.", "torchvision's vgg16 state dict");
        checkKeys(linFile, lin, linKeys, null, "the lpips package's weights/v0.1/vgg.pth");
        return new Lpips(manager, vgg, lin, vggFile, linFile);
    }

    private static void checkKeys(Path file, Map<String, HostTensor> found, TreeSet<String> expected,
                                  String ignoredPrefix, String what) throws FormatException {
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(found.keySet());
        TreeSet<String> extra = new TreeSet<>(found.keySet());
        extra.removeAll(expected);
        if (ignoredPrefix != null) {
            extra.removeIf(k -> k.startsWith(ignoredPrefix));
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new FormatException(file + ": missing keys " + missing + ", unexpected keys " + extra
                    + "; expected " + what);
        }
    }

    private static void requireShape(Path file, String key, HostTensor t, long[] shape) throws FormatException {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new FormatException(file + ": '" + key + "' has shape " + Arrays.toString(t.shape())
                    + " but the VGG16 layout needs " + Arrays.toString(shape));
        }
    }

    /**
     * Returns the LPIPS distance of each pair: x, y [B, 3, H, W] in [-1, 1] -> [B]. H and W
     * must be at least 16 (four 2x2 pools).
     */
    public NDArray distance(NDArray x, NDArray y) {
        List<NDArray> fx = features(x.sub(shift).div(scale));
        List<NDArray> fy = features(y.sub(shift).div(scale));
        NDArray total = null;
        for (int k = 0; k < fx.size(); k++) {
            NDArray d = unit(fx.get(k)).sub(unit(fy.get(k))).square();               // [B, C, h, w]
            NDArray weighted = Conv2d.conv2d(d, heads.get(k), null, ONE, NO_PAD, ONE, 1)
                    .singletonOrThrow();                                              // [B, 1, h, w]
            NDArray mean = weighted.reshape(weighted.getShape().get(0), -1).mean(new int[] {1}); // [B]
            total = total == null ? mean : total.add(mean);
        }
        return total;
    }

    /** Scales each position's channel vector to unit length: [B, C, h, w] -> same. */
    private static NDArray unit(NDArray f) {
        NDArray norm = f.square().sum(new int[] {1}, true).add(EngineArrays.scalar(f, 1e-20)).sqrt()
                .add(EngineArrays.scalar(f, 1e-10));                                  // [B, 1, h, w]
        return f.div(norm);
    }

    /** VGG16 features up to relu5_3, returning the five taps. */
    private List<NDArray> features(NDArray x) {
        List<NDArray> taps = new ArrayList<>();
        NDArray h = x;
        int index = 0;
        for (int c : LAYOUT) {
            if (c == 0) {
                h = Pool.maxPool2d(h, TWO, TWO, NO_PAD, false);
                index++;
                continue;
            }
            NDArray[] conv = convs.get(index);
            h = Activation.relu(Conv2d.conv2d(h, conv[0], conv[1], ONE, ONE, ONE, 1).singletonOrThrow());
            if (TAPS.contains(index + 1)) {
                taps.add(h);
            }
            index += 2;
        }
        return taps;
    }

    /** Frees the weights. */
    @Override
    public void close() {
        manager.close();
    }
}
