package org.mutor.eval.inception;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every convolution of the FID Inception-v3 with its module name (as in the PyTorch
 * ports' state dicts), channel counts and geometry. Channel counts are the released
 * network's divided by {@code divisor} (1 for the real weights; tests use 8, same
 * topology). Input channels (3) and the 1008 classes are never divided.
 */
public final class InceptionLayout {

    /**
     * One convolution followed by batch norm (eps 0.001) and ReLU.
     *
     * @param name module path, such as {@code Mixed_5b.branch1x1}
     */
    public record Conv(String name, int in, int out, int kh, int kw, int stride, int ph, int pw) {
    }

    /** Classes of the released classifier (1000 ImageNet classes plus 8 unused). */
    public static final int CLASSES = 1008;

    private final int divisor;
    private final Map<String, Conv> convs = new LinkedHashMap<>();

    /** Builds the layout for {@code divisor}, which must divide every channel count (1, 2, 4, 8 or 16). */
    public InceptionLayout(int divisor) {
        if (divisor < 1 || 16 % divisor != 0) {
            throw new IllegalArgumentException("invalid width divisor " + divisor + "; use 1, 2, 4, 8 or 16");
        }
        this.divisor = divisor;
        conv("Conv2d_1a_3x3", 3, c(32), 3, 3, 2, 0, 0);
        conv("Conv2d_2a_3x3", c(32), c(32), 3, 3, 1, 0, 0);
        conv("Conv2d_2b_3x3", c(32), c(64), 3, 3, 1, 1, 1);
        conv("Conv2d_3b_1x1", c(64), c(80), 1, 1, 1, 0, 0);
        conv("Conv2d_4a_3x3", c(80), c(192), 3, 3, 1, 0, 0);
        blockA("Mixed_5b", c(192), c(32));
        blockA("Mixed_5c", c(256), c(64));
        blockA("Mixed_5d", c(288), c(64));
        blockB("Mixed_6a", c(288));
        blockC("Mixed_6b", c(768), c(128));
        blockC("Mixed_6c", c(768), c(160));
        blockC("Mixed_6d", c(768), c(160));
        blockC("Mixed_6e", c(768), c(192));
        blockD("Mixed_7a", c(768));
        blockE("Mixed_7b", c(1280));
        blockE("Mixed_7c", c(2048));
    }

    private int c(int channels) {
        return channels / divisor;
    }

    private void conv(String name, int in, int out, int kh, int kw, int stride, int ph, int pw) {
        convs.put(name, new Conv(name, in, out, kh, kw, stride, ph, pw));
    }

    private void blockA(String p, int in, int pool) {
        conv(p + ".branch1x1", in, c(64), 1, 1, 1, 0, 0);
        conv(p + ".branch5x5_1", in, c(48), 1, 1, 1, 0, 0);
        conv(p + ".branch5x5_2", c(48), c(64), 5, 5, 1, 2, 2);
        conv(p + ".branch3x3dbl_1", in, c(64), 1, 1, 1, 0, 0);
        conv(p + ".branch3x3dbl_2", c(64), c(96), 3, 3, 1, 1, 1);
        conv(p + ".branch3x3dbl_3", c(96), c(96), 3, 3, 1, 1, 1);
        conv(p + ".branch_pool", in, pool, 1, 1, 1, 0, 0);
    }

    private void blockB(String p, int in) {
        conv(p + ".branch3x3", in, c(384), 3, 3, 2, 0, 0);
        conv(p + ".branch3x3dbl_1", in, c(64), 1, 1, 1, 0, 0);
        conv(p + ".branch3x3dbl_2", c(64), c(96), 3, 3, 1, 1, 1);
        conv(p + ".branch3x3dbl_3", c(96), c(96), 3, 3, 2, 0, 0);
    }

    private void blockC(String p, int in, int c7) {
        conv(p + ".branch1x1", in, c(192), 1, 1, 1, 0, 0);
        conv(p + ".branch7x7_1", in, c7, 1, 1, 1, 0, 0);
        conv(p + ".branch7x7_2", c7, c7, 1, 7, 1, 0, 3);
        conv(p + ".branch7x7_3", c7, c(192), 7, 1, 1, 3, 0);
        conv(p + ".branch7x7dbl_1", in, c7, 1, 1, 1, 0, 0);
        conv(p + ".branch7x7dbl_2", c7, c7, 7, 1, 1, 3, 0);
        conv(p + ".branch7x7dbl_3", c7, c7, 1, 7, 1, 0, 3);
        conv(p + ".branch7x7dbl_4", c7, c7, 7, 1, 1, 3, 0);
        conv(p + ".branch7x7dbl_5", c7, c(192), 1, 7, 1, 0, 3);
        conv(p + ".branch_pool", in, c(192), 1, 1, 1, 0, 0);
    }

    private void blockD(String p, int in) {
        conv(p + ".branch3x3_1", in, c(192), 1, 1, 1, 0, 0);
        conv(p + ".branch3x3_2", c(192), c(320), 3, 3, 2, 0, 0);
        conv(p + ".branch7x7x3_1", in, c(192), 1, 1, 1, 0, 0);
        conv(p + ".branch7x7x3_2", c(192), c(192), 1, 7, 1, 0, 3);
        conv(p + ".branch7x7x3_3", c(192), c(192), 7, 1, 1, 3, 0);
        conv(p + ".branch7x7x3_4", c(192), c(192), 3, 3, 2, 0, 0);
    }

    private void blockE(String p, int in) {
        conv(p + ".branch1x1", in, c(320), 1, 1, 1, 0, 0);
        conv(p + ".branch3x3_1", in, c(384), 1, 1, 1, 0, 0);
        conv(p + ".branch3x3_2a", c(384), c(384), 1, 3, 1, 0, 1);
        conv(p + ".branch3x3_2b", c(384), c(384), 3, 1, 1, 1, 0);
        conv(p + ".branch3x3dbl_1", in, c(448), 1, 1, 1, 0, 0);
        conv(p + ".branch3x3dbl_2", c(448), c(384), 3, 3, 1, 1, 1);
        conv(p + ".branch3x3dbl_3a", c(384), c(384), 1, 3, 1, 0, 1);
        conv(p + ".branch3x3dbl_3b", c(384), c(384), 3, 1, 1, 1, 0);
        conv(p + ".branch_pool", in, c(192), 1, 1, 1, 0, 0);
    }

    public int divisor() {
        return divisor;
    }

    /** Width of pool_3: 2048 / divisor. */
    public int poolDim() {
        return c(2048);
    }

    /** Convolutions by module name, in forward order. */
    public Map<String, Conv> convs() {
        return Collections.unmodifiableMap(convs);
    }

    /** Expected state-dict shapes by key, without {@code num_batches_tracked}. */
    public Map<String, long[]> expectedShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Conv conv : convs.values()) {
            shapes.put(conv.name() + ".conv.weight", new long[] {conv.out(), conv.in(), conv.kh(), conv.kw()});
            for (String bn : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                shapes.put(conv.name() + ".bn." + bn, new long[] {conv.out()});
            }
        }
        shapes.put("fc.weight", new long[] {CLASSES, poolDim()});
        shapes.put("fc.bias", new long[] {CLASSES});
        return shapes;
    }
}
