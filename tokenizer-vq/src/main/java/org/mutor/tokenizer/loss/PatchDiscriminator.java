package org.mutor.tokenizer.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.EngineArrays;
import org.mutor.common.tensor.HostTensor;
import org.mutor.common.train.AdamW;
import org.mutor.common.train.ParamGroup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The PatchGAN discriminator of taming-transformers and LlamaGen (NLayerDiscriminator
 * with 3 layers): 4x4 convolutions with padding 1, the first (64 channels, stride 2)
 * followed by LeakyReLU(0.2), then three blocks conv (no bias) + BatchNorm + LeakyReLU
 * with 128, 256, 512 channels and strides 2, 2, 1, and a final stride-1 conv to one
 * logit per patch: [B, 3, 256, 256] -> [B, 1, 30, 30]. Trained from scratch with its own
 * AdamW and the hinge loss.
 *
 * <p>BatchNorm always normalises with the statistics of its input batch, as in training
 * mode; the running statistics (momentum 0.1, unbiased variance) are updated by each
 * {@link #trainStep} and saved with the state, but nothing reads them during training.
 *
 * <p>Parameter names follow the torch module ({@code main.0.weight}, {@code main.3.running_mean}, ...).
 */
public final class PatchDiscriminator implements AutoCloseable {

    private static final int[] CONVS = {0, 2, 5, 8, 11};
    private static final int[] STRIDES = {2, 2, 2, 1, 1};
    private static final double SLOPE = 0.2;
    private static final double BN_EPS = 1e-5;
    private static final double BN_MOMENTUM = 0.1;
    private static final Shape K4 = new Shape(4, 4);
    private static final Shape PAD1 = new Shape(1, 1);
    private static final Shape DIL1 = new Shape(1, 1);

    private final NDManager manager;
    private final Map<String, Parameter> params;
    private final Map<String, NDArray> running = new LinkedHashMap<>();
    private final AdamW optimizer;

    /**
     * Creates a discriminator with taming's initialisation: conv weights N(0, 0.02), BatchNorm
     * scales N(1, 0.02), biases 0.
     *
     * @param width channels of the first conv (64)
     * @param seed seed of the initial weights
     * @param adam betas and eps of its optimizer
     */
    public PatchDiscriminator(NDManager parent, int width, long seed, AdamW.Options adam) {
        this.manager = parent.newSubManager();
        Random random = new Random(seed);
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        long cin = 3;
        long[] outs = {width, width * 2L, width * 4L, width * 8L, 1};
        for (int i = 0; i < CONVS.length; i++) {
            long cout = outs[i];
            arrays.put("main." + CONVS[i] + ".weight", gaussian(random, 0, 0.02, new Shape(cout, cin, 4, 4)));
            boolean norm = i >= 1 && i <= 3;
            if (!norm) {
                arrays.put("main." + CONVS[i] + ".bias", manager.zeros(new Shape(cout)));
            } else {
                String bn = "main." + (CONVS[i] + 1);
                arrays.put(bn + ".weight", gaussian(random, 1, 0.02, new Shape(cout)));
                arrays.put(bn + ".bias", manager.zeros(new Shape(cout)));
                running.put(bn + ".running_mean", manager.zeros(new Shape(cout)));
                running.put(bn + ".running_var", manager.ones(new Shape(cout)));
            }
            cin = cout;
        }
        this.params = ParamGroup.trainable(arrays);
        this.optimizer = new AdamW(List.of(ParamGroup.of(params, 0.0)), adam);
    }

    private NDArray gaussian(Random random, double mean, double std, Shape shape) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * random.nextGaussian());
        }
        return EngineArrays.create(manager, v, shape);
    }

    /** Patch logits: [B, 3, H, W] -> [B, 1, H/8 - 2, W/8 - 2]. */
    public NDArray logits(NDArray x) {
        return forward(x, null);
    }

    private NDArray forward(NDArray x, List<NDArray[]> batchStats) {
        NDArray h = x;
        for (int i = 0; i < CONVS.length; i++) {
            String conv = "main." + CONVS[i];
            Parameter bias = params.get(conv + ".bias");
            Shape stride = new Shape(STRIDES[i], STRIDES[i]);
            h = Conv2d.conv2d(h, params.get(conv + ".weight").getArray(), bias == null ? null : bias.getArray(),
                    stride, PAD1, DIL1, 1).singletonOrThrow();
            if (i >= 1 && i <= 3) {
                h = batchNorm(h, "main." + (CONVS[i] + 1), batchStats);
            }
            if (i < CONVS.length - 1) {
                h = Activation.leakyRelu(h, (float) SLOPE);
            }
        }
        return h;
    }

    /** Per-channel normalisation over batch and space with the batch's biased variance, then the affine map. */
    private NDArray batchNorm(NDArray h, String name, List<NDArray[]> batchStats) {
        long c = h.getShape().get(1);
        NDArray mean = channelMean(h);                                                // [1, C, 1, 1]
        NDArray centred = h.sub(mean);
        NDArray var = channelMean(centred.square());                                  // [1, C, 1, 1]
        if (batchStats != null) {
            batchStats.add(new NDArray[] {mean, var});
        }
        NDArray normed = centred.div(var.add(EngineArrays.scalar(var, BN_EPS)).sqrt());
        return normed.mul(params.get(name + ".weight").getArray().reshape(1, c, 1, 1))
                .add(params.get(name + ".bias").getArray().reshape(1, c, 1, 1));
    }

    /** Mean over batch and space (the engine reduces one axis at a time): [B, C, H, W] -> [1, C, 1, 1]. */
    private static NDArray channelMean(NDArray h) {
        long c = h.getShape().get(1);
        return h.transpose(1, 0, 2, 3).reshape(c, -1).mean(new int[] {1}).reshape(1, c, 1, 1);
    }

    /** Hinge loss of the discriminator: (mean(relu(1 - real)) + mean(relu(1 + fake))) / 2, a scalar. */
    public static NDArray hingeLoss(NDArray logitsReal, NDArray logitsFake) {
        NDArray one = EngineArrays.scalar(logitsReal, 1);
        NDArray real = Activation.relu(one.sub(logitsReal)).mean();
        NDArray fake = Activation.relu(one.add(logitsFake)).mean();
        return real.add(fake).mul(EngineArrays.scalar(real, 0.5));
    }

    /** Adversarial term of the generator: -mean(logits of the reconstructions), a scalar. */
    public NDArray generatorLoss(NDArray fake) {
        return logits(fake).mean().neg();
    }

    /**
     * Applies one AdamW step on {@code weight * hingeLoss} for detached batches real and fake
     * [B, 3, H, W]; updates the running statistics.
     *
     * @return the hinge loss before the step
     */
    public double trainStep(NDArray real, NDArray fake, double weight, double lr) {
        Engine engine = manager.getEngine();
        optimizer.zeroGrad();
        double loss;
        List<NDArray[]> stats = new ArrayList<>();
        try (NDScope scope = new NDScope(); GradientCollector collector = engine.newGradientCollector()) {
            NDArray logitsReal = forward(real.stopGradient(), stats);
            NDArray logitsFake = forward(fake.stopGradient(), stats);
            NDArray hinge = hingeLoss(logitsReal, logitsFake);
            loss = hinge.getFloat();
            collector.backward(hinge.mul(EngineArrays.scalar(hinge, weight)));
            updateRunning(stats, real.getShape());
        }
        optimizer.step(lr);
        optimizer.zeroGrad();
        return loss;
    }

    /** Running statistics follow the real batch's pass then the fake batch's, as two torch forward calls do. */
    private void updateRunning(List<NDArray[]> stats, Shape input) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            List<String> names = new ArrayList<>();
            running.keySet().stream().filter(k -> k.endsWith(".running_mean"))
                    .forEach(k -> names.add(k.substring(0, k.length() - ".running_mean".length())));
            for (int s = 0; s < stats.size(); s++) {
                String bn = names.get(s % names.size());
                NDArray mean = stats.get(s)[0].stopGradient().flatten();
                NDArray var = stats.get(s)[1].stopGradient().flatten();
                double n = countPerChannel(s, input);
                NDArray unbiased = var.mul(EngineArrays.scalar(var, n / Math.max(1, n - 1)));
                NDArray rm = running.get(bn + ".running_mean");
                NDArray rv = running.get(bn + ".running_var");
                rm.muli(EngineArrays.scalar(rm, 1 - BN_MOMENTUM)).addi(mean.mul(EngineArrays.scalar(mean, BN_MOMENTUM)));
                rv.muli(EngineArrays.scalar(rv, 1 - BN_MOMENTUM))
                        .addi(unbiased.mul(EngineArrays.scalar(unbiased, BN_MOMENTUM)));
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** Values per channel at BatchNorm layer {@code s % 3}: B * h * w of that layer's input. */
    private static double countPerChannel(int s, Shape input) {
        long h = input.get(2);
        long w = input.get(3);
        int layer = s % 3;
        for (int i = 0; i <= layer + 1; i++) {
            h = (h + 2 - 4) / STRIDES[i] + 1;
            w = (w + 2 - 4) / STRIDES[i] + 1;
        }
        return (double) input.get(0) * h * w;
    }

    /** Trained parameters by name. */
    public Map<String, Parameter> parameters() {
        return params;
    }

    /** Optimizer updates applied so far. */
    public long optimizerSteps() {
        return optimizer.stepCount();
    }

    /**
     * Weights, running statistics and AdamW moments as host tensors, every name under {@code prefix}.
     */
    public Map<String, HostTensor> stateTensors(String prefix) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(prefix + k, HostTensor.fromNDArray(p.getArray())));
        running.forEach((k, a) -> out.put(prefix + k, HostTensor.fromNDArray(a)));
        optimizer.stateTensors().forEach((k, t) -> out.put(prefix + "opt/" + k, t));
        return out;
    }

    /**
     * Restores a state written by {@link #stateTensors}.
     *
     * @throws FormatException when an entry is missing or has another shape
     */
    public void loadState(String prefix, Map<String, HostTensor> tensors, long optimizerSteps)
            throws FormatException {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                e.getValue().getArray().set(checked(prefix + e.getKey(), tensors, e.getValue().getArray()));
            }
            for (Map.Entry<String, NDArray> e : running.entrySet()) {
                e.getValue().set(checked(prefix + e.getKey(), tensors, e.getValue()));
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        Map<String, HostTensor> moments = new LinkedHashMap<>();
        tensors.forEach((k, t) -> {
            if (k.startsWith(prefix + "opt/")) {
                moments.put(k.substring((prefix + "opt/").length()), t);
            }
        });
        optimizer.loadState(optimizerSteps, moments);
    }

    private static float[] checked(String key, Map<String, HostTensor> tensors, NDArray target)
            throws FormatException {
        HostTensor t = tensors.get(key);
        if (t == null) {
            throw new FormatException("discriminator state is missing '" + key + "'; the checkpoint was written "
                    + "without the adversarial loss or for another discriminator");
        }
        if (!Arrays.equals(t.shape(), target.getShape().getShape())) {
            throw new FormatException("discriminator state '" + key + "' has shape " + Arrays.toString(t.shape())
                    + " but the discriminator has " + target.getShape());
        }
        return t.toFloatArray();
    }

    /** Frees weights, statistics and moments. */
    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}
