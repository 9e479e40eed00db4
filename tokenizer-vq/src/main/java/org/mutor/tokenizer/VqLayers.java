package org.mutor.tokenizer;

import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The building blocks of the VQ encoder and decoder as functions of named parameters.
 *
 * <p>At inference, elementwise steps run in place on intermediates that the block
 * itself created, which saves an allocation of a full activation each. In training
 * mode every step allocates, because autograd needs the values it saved.
 *
 * <p>Dimension letters: B batch, C channels, H and W height and width, N = H * W
 * spatial positions.
 */
final class VqLayers {

    private static final double NORM_EPS = 1e-6;
    private static final Shape ONE = new Shape(1, 1);
    private static final Shape TWO = new Shape(2, 2);
    private static final Shape NO_PAD = new Shape(0, 0);

    private final Map<String, NDArray> params;
    private final double dropoutP;
    private final boolean training;

    /**
     * @param params parameters by checkpoint key
     * @param dropoutP dropout inside residual blocks, used only when training
     * @param training whether dropout is active and autograd must be able to record every step
     */
    VqLayers(Map<String, NDArray> params, double dropoutP, boolean training) {
        this.params = params;
        this.dropoutP = dropoutP;
        this.training = training;
    }

    private NDArray p(String name) {
        return params.get(name);
    }

    /**
     * Runs one step in its own scope so that its intermediates are closed when it
     * returns; the result moves to the enclosing scope. The step must return a new
     * array, never one it was given.
     */
    static NDArray scoped(Supplier<NDArray> step) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = step.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** 3x3 conv with padding 1: [B, Cin, H, W] -> [B, Cout, H, W]. */
    NDArray conv3(NDArray x, String name) {
        return Conv2d.conv2d(x, p(name + ".weight"), p(name + ".bias"), ONE, ONE, ONE, 1).singletonOrThrow();
    }

    /** 1x1 conv: [B, Cin, H, W] -> [B, Cout, H, W]. */
    NDArray conv1(NDArray x, String name) {
        return Conv2d.conv2d(x, p(name + ".weight"), p(name + ".bias"), ONE, NO_PAD, ONE, 1).singletonOrThrow();
    }

    /**
     * GroupNorm with 32 groups, eps 1e-6 and an affine map, over [B, C, H, W]. The
     * engine has no group_norm, so each group is normalised by layer_norm over its
     * C/G * H * W values (biased variance, as GroupNorm), then scaled per channel.
     */
    NDArray groupNorm(NDArray x, String name) {
        Shape shape = x.getShape();
        long c = shape.get(1);
        NDArray groups = x.reshape(shape.get(0), VqConfig.NORM_GROUPS, -1);     // [B, G, C/G * H * W]
        Shape groupShape = new Shape(groups.getShape().get(2));
        NDManager manager = x.getManager();
        NDArray normed = groups.getNDArrayInternal().layerNorm(groups, groupShape, manager.ones(groupShape),
                manager.zeros(groupShape), (float) NORM_EPS).singletonOrThrow().reshape(shape);
        NDArray weight = p(name + ".weight").reshape(1, c, 1, 1);
        NDArray bias = p(name + ".bias").reshape(1, c, 1, 1);
        return training ? normed.mul(weight).add(bias) : normed.muli(weight).addi(bias);
    }

    /** swish(x) = x * sigmoid(x). */
    NDArray swish(NDArray x) {
        NDArray sigmoid = Activation.sigmoid(x);
        return training ? x.mul(sigmoid) : sigmoid.muli(x);
    }

    /** Residual block: x + conv2(dropout(swish(norm2(conv1(swish(norm1(x))))))), 1x1 shortcut when C changes. */
    NDArray resBlock(NDArray x, String name) {
        return scoped(() -> {
            NDArray h = conv3(swish(groupNorm(x, name + ".norm1")), name + ".conv1");
            h = swish(groupNorm(h, name + ".norm2"));
            if (training && dropoutP > 0) {
                h = Dropout.dropout(h, (float) dropoutP, true).singletonOrThrow();
            }
            h = conv3(h, name + ".conv2");
            NDArray shortcut = params.containsKey(name + ".nin_shortcut.weight") ? conv1(x, name + ".nin_shortcut") : x;
            return training ? shortcut.add(h) : h.addi(shortcut);
        });
    }

    /** Single-head self-attention over all N positions, scores scaled by C^-0.5, with a residual. */
    NDArray attnBlock(NDArray x, String name) {
        return scoped(() -> {
            Shape shape = x.getShape();
            long b = shape.get(0);
            long c = shape.get(1);
            long n = shape.get(2) * shape.get(3);
            NDArray normed = groupNorm(x, name + ".norm");
            NDArray q = conv1(normed, name + ".q").reshape(b, c, n).transpose(0, 2, 1); // [B, N, C]
            NDArray k = conv1(normed, name + ".k").reshape(b, c, n);                    // [B, C, N]
            NDArray v = conv1(normed, name + ".v").reshape(b, c, n);                    // [B, C, N]
            NDArray scores = q.matMul(k);
            NDArray weights = scores.mul(EngineArrays.scalar(scores, Math.pow(c, -0.5))).softmax(2);    // [B, Nq, Nk]
            NDArray out = v.matMul(weights.transpose(0, 2, 1)).reshape(shape);         // [B, C, H, W]
            NDArray projected = conv1(out, name + ".proj_out");
            return training ? x.add(projected) : projected.addi(x);
        });
    }

    /** Pads right and bottom by one with zeros, then a 3x3 stride-2 conv: [B, C, H, W] -> [B, C, H/2, W/2]. */
    NDArray downsample(NDArray x, String name) {
        return scoped(() -> {
            // Padding is given from the last axis backwards: (W left, W right, H top, H bottom).
            NDArray padded = x.pad(new Shape(0, 1, 0, 1), 0);
            return Conv2d.conv2d(padded, p(name + ".conv.weight"), p(name + ".conv.bias"), TWO, NO_PAD, ONE, 1)
                    .singletonOrThrow();
        });
    }

    /** Nearest-neighbour x2, then a 3x3 conv: [B, C, H, W] -> [B, C, 2H, 2W]. */
    NDArray upsample(NDArray x, String name) {
        return scoped(() -> {
            Shape s = x.getShape();
            long b = s.get(0);
            long c = s.get(1);
            long h = s.get(2);
            long w = s.get(3);
            NDArray up = x.reshape(b, c, h, 1, w, 1).broadcast(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w);
            return conv3(up, name + ".conv");
        });
    }

    /** Output head: conv(swish(GroupNorm(x))). */
    NDArray out(NDArray x, String prefix) {
        return scoped(() -> conv3(swish(groupNorm(x, prefix + ".norm_out")), prefix + ".conv_out"));
    }
}
