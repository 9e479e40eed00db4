package org.mutor.eval.inception;

import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;

import java.util.HashMap;
import java.util.Map;

/**
 * Inference of the FID Inception-v3 on DJL arrays: the network behind published FID,
 * sFID and IS numbers. Letters: B batch, C channels, H and W height and width.
 *
 * <p>Steps: uint8 {@code [B, H, W, 3]} -> float [0, 255] {@code [B, 3, H, W]} -> TF1
 * bilinear resize to 299x299 -> (x - 128) / 128 -> stem -> Mixed_5b..7c -> mean over
 * the 8x8 map (pool_3). Versus torchvision's network, average pools in the mixed blocks
 * exclude padding from the count, and Mixed_7c max-pools in its pool branch.
 */
public final class FidInceptionV3 {

    /** Input side of the network. */
    public static final int SIZE = 299;
    /** Channels kept from Mixed_6d.branch1x1 for sFID. */
    public static final int SPATIAL_CHANNELS = 7;
    /** Side of the Mixed_6d maps. */
    public static final int SPATIAL_SIDE = 17;
    /** Length of a spatial feature vector: 17 * 17 * 7. */
    public static final int SPATIAL_DIM = SPATIAL_SIDE * SPATIAL_SIDE * SPATIAL_CHANNELS;

    /**
     * Outputs for a batch.
     *
     * @param pool pool_3 features {@code [B, 2048 / divisor]}
     * @param logits pool_3 times the classifier matrix, without bias {@code [B, 1008]}
     * @param spatial Mixed_6d.branch1x1 channels 0..6, channels-last, {@code [B, 2023]}
     */
    public record Outputs(NDArray pool, NDArray logits, NDArray spatial) {
    }

    private final InceptionWeights weights;
    private final Map<Long, NDArray> resizeMatrices = new HashMap<>();

    public FidInceptionV3(InceptionWeights weights) {
        this.weights = weights;
    }

    public InceptionWeights weights() {
        return weights;
    }

    /** Runs the network on uint8 images {@code [B, H, W, 3]} of any size. */
    public Outputs forward(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(3) != 3) {
            throw new IllegalArgumentException("images have shape " + s + "; expected [B, H, W, 3] uint8");
        }
        // [B, H, W, 3] float pixels in [0, 255]
        NDArray x = images.toType(DataType.FLOAT32, false);
        // [B, 3, 299, 299]
        x = resize(x).sub(128f).div(128f);
        // Each stage runs in its own scope, so its intermediates are freed as soon as it ends:
        // holding every activation of a batch until the end made the forward pass 8x slower.
        x = scoped(x, in -> conv(in, "Conv2d_1a_3x3"));      // [B, 32, 149, 149]
        x = scoped(x, in -> conv(in, "Conv2d_2a_3x3"));      // [B, 32, 147, 147]
        x = scoped(x, in -> conv(in, "Conv2d_2b_3x3"));      // [B, 64, 147, 147]
        x = scoped(x, in -> maxPool(in, 2, 0));              // [B, 64, 73, 73]
        x = scoped(x, in -> conv(in, "Conv2d_3b_1x1"));      // [B, 80, 73, 73]
        x = scoped(x, in -> conv(in, "Conv2d_4a_3x3"));      // [B, 192, 71, 71]
        x = scoped(x, in -> maxPool(in, 2, 0));              // [B, 192, 35, 35]
        x = scoped(x, in -> blockA(in, "Mixed_5b"));         // [B, 256, 35, 35]
        x = scoped(x, in -> blockA(in, "Mixed_5c"));         // [B, 288, 35, 35]
        x = scoped(x, in -> blockA(in, "Mixed_5d"));         // [B, 288, 35, 35]
        x = scoped(x, in -> blockB(in, "Mixed_6a"));         // [B, 768, 17, 17]
        x = scoped(x, in -> blockC(in, "Mixed_6b", null));
        x = scoped(x, in -> blockC(in, "Mixed_6c", null));
        NDArray[] branch1x1 = new NDArray[1];
        x = scoped(x, in -> {
            NDArray out = blockC(in, "Mixed_6d", branch1x1);
            NDScope.unregister(branch1x1[0]);               // kept for the spatial features
            return out;
        });
        NDScope.register(branch1x1[0]);
        x = scoped(x, in -> blockC(in, "Mixed_6e", null));   // [B, 768, 17, 17]
        x = scoped(x, in -> blockD(in, "Mixed_7a"));         // [B, 1280, 8, 8]
        x = scoped(x, in -> blockE(in, "Mixed_7b", false));  // [B, 2048, 8, 8]
        x = scoped(x, in -> blockE(in, "Mixed_7c", true));   // [B, 2048, 8, 8]
        // [B, 2048]
        NDArray pool = x.reshape(s.get(0), x.getShape().get(1), -1).mean(new int[] {2});
        // [B, 1008] = pool @ fc.weight^T, no bias
        NDArray logits = pool.matMul(weights.fcWeight().transpose());
        // [B, 7, 17, 17] -> [B, 17, 17, 7] -> [B, 2023]
        NDArray spatial = branch1x1[0].get(":, 0:" + SPATIAL_CHANNELS).transpose(0, 2, 3, 1)
                .reshape(s.get(0), SPATIAL_DIM);
        return new Outputs(pool, logits, spatial);
    }

    /**
     * TF1 bilinear resize to 299x299 as two matrix products: output row y reads source
     * row y * (H / 299) (float32 arithmetic, no half-pixel offset, no corner alignment),
     * blending floor and floor + 1 (clamped) by the fraction; columns likewise.
     */
    NDArray resize(NDArray x) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(1);
        long w = x.getShape().get(2);
        if (h == SIZE && w == SIZE) {
            return x.transpose(0, 3, 1, 2);                         // [B, 3, 299, 299]
        }
        NDArray rows = matrix(x.getManager(), (int) h);                // [299, H]
        NDArray cols = matrix(x.getManager(), (int) w).transpose();    // [W, 299]
        // Rows first on the contiguous channels-last data: [299, H] @ [B, H, W*3] -> [B, 299, W*3].
        NDArray t = rows.matMul(x.reshape(b, h, w * 3));
        // Then columns: [B*299, 3, W] @ [W, 299] -> [B*299, 3, 299].
        NDArray out = t.reshape(b * SIZE, w, 3).transpose(0, 2, 1).matMul(cols);
        // Back to contiguous channels-last [B, 299, 299, 3] (flattening forces the copy), seen as
        // [B, 3, 299, 299]: libtorch's convolutions run several times faster on channels-last
        // memory than on plain NCHW in this CPU build.
        NDArray channelsLast = out.transpose(0, 2, 1).flatten().reshape(b, SIZE, SIZE, 3);
        return channelsLast.transpose(0, 3, 1, 2);
    }

    private NDArray matrix(NDManager manager, int in) {
        long key = ((long) in << 32) ^ manager.getDevice().hashCode();
        NDArray cached = resizeMatrices.get(key);
        if (cached != null) {
            return cached;
        }
        float[] m = TfBilinear.matrix(in, SIZE);
        NDArray array = EngineArrays.create(weights.fcWeight().getManager(), m, new Shape(SIZE, in));
        NDScope.unregister(array); // cached across calls, so a caller's scope must not close it
        resizeMatrices.put(key, array);
        return array;
    }

    /**
     * Runs one stage in its own scope: its intermediates close when it returns and the
     * result moves to the enclosing scope. The input stays open.
     */
    private static NDArray scoped(NDArray input, java.util.function.UnaryOperator<NDArray> stage) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDScope.unregister(input);
            out = stage.apply(input);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    private NDArray conv(NDArray x, String name) {
        InceptionLayout.Conv spec = weights.layout().convs().get(name);
        NDArray[] wb = weights.conv(name);
        NDArray y = Conv2d.conv2d(x, wb[0], wb[1], new Shape(spec.stride(), spec.stride()),
                new Shape(spec.ph(), spec.pw())).head();
        return Activation.relu(y);
    }

    private static NDArray maxPool(NDArray x, int stride, int pad) {
        return Pool.maxPool2d(x, new Shape(3, 3), new Shape(stride, stride), new Shape(pad, pad), false);
    }

    /**
     * 3x3 average with stride 1 and padding 1 that divides by the number of real pixels.
     * DJL's PyTorch engine ignores the count_include_pad=false flag, so the padded average
     * is divided by the padded average of ones (the fraction of real pixels per window).
     */
    private static NDArray avgPoolNoPad(NDArray x) {
        Shape k = new Shape(3, 3);
        Shape one = new Shape(1, 1);
        NDArray padded = Pool.avgPool2d(x, k, one, one, false, true);
        // [1, 1, H, W]
        NDArray ones = x.getManager().ones(new Shape(1, 1, x.getShape().get(2), x.getShape().get(3)));
        return padded.div(Pool.avgPool2d(ones, k, one, one, false, true));
    }

    private static NDArray cat(NDArray... parts) {
        return NDArrays.concat(new NDList(parts), 1);
    }

    private NDArray blockA(NDArray x, String p) {
        NDArray a = conv(x, p + ".branch1x1");
        NDArray b = conv(conv(x, p + ".branch5x5_1"), p + ".branch5x5_2");
        NDArray c = conv(conv(conv(x, p + ".branch3x3dbl_1"), p + ".branch3x3dbl_2"), p + ".branch3x3dbl_3");
        NDArray d = conv(avgPoolNoPad(x), p + ".branch_pool");
        return cat(a, b, c, d);
    }

    private NDArray blockB(NDArray x, String p) {
        NDArray a = conv(x, p + ".branch3x3");
        NDArray b = conv(conv(conv(x, p + ".branch3x3dbl_1"), p + ".branch3x3dbl_2"), p + ".branch3x3dbl_3");
        return cat(a, b, maxPool(x, 2, 0));
    }

    private NDArray blockC(NDArray x, String p, NDArray[] branch1x1Out) {
        NDArray a = conv(x, p + ".branch1x1");
        if (branch1x1Out != null) {
            branch1x1Out[0] = a;
        }
        NDArray b = conv(conv(conv(x, p + ".branch7x7_1"), p + ".branch7x7_2"), p + ".branch7x7_3");
        NDArray c = x;
        for (int i = 1; i <= 5; i++) {
            c = conv(c, p + ".branch7x7dbl_" + i);
        }
        NDArray d = conv(avgPoolNoPad(x), p + ".branch_pool");
        return cat(a, b, c, d);
    }

    private NDArray blockD(NDArray x, String p) {
        NDArray a = conv(conv(x, p + ".branch3x3_1"), p + ".branch3x3_2");
        NDArray b = x;
        for (int i = 1; i <= 4; i++) {
            b = conv(b, p + ".branch7x7x3_" + i);
        }
        return cat(a, b, maxPool(x, 2, 0));
    }

    private NDArray blockE(NDArray x, String p, boolean maxPoolBranch) {
        NDArray a = conv(x, p + ".branch1x1");
        NDArray b = conv(x, p + ".branch3x3_1");
        b = cat(conv(b, p + ".branch3x3_2a"), conv(b, p + ".branch3x3_2b"));
        NDArray c = conv(conv(x, p + ".branch3x3dbl_1"), p + ".branch3x3dbl_2");
        c = cat(conv(c, p + ".branch3x3dbl_3a"), conv(c, p + ".branch3x3dbl_3b"));
        NDArray pooled = maxPoolBranch ? maxPool(x, 1, 1) : avgPoolNoPad(x);
        return cat(a, b, c, conv(pooled, p + ".branch_pool"));
    }
}
