package org.mutor.eval.fmnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.SafeTensors;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small convolutional classifier of Fashion-MNIST whose penultimate activations and
 * class probabilities stand in for Inception's on that domain.
 *
 * <p>Input: {@code [B, 1, 28, 28]} float32 grayscale in [0, 1] (0 is the black background).
 * Layers, with B the batch:
 * <pre>
 * x = (x - 0.2860) / 0.3530                       [B, 1, 28, 28]  dataset mean and std
 * conv1 3x3, pad 1, 1 -> 16, ReLU, max pool 2     [B, 16, 14, 14]
 * conv2 3x3, pad 1, 16 -> 32, ReLU, max pool 2    [B, 32, 7, 7]
 * flatten (channel, row, column order)            [B, 1568]
 * fc1 1568 -> 128, ReLU                           [B, 128]  the features
 * fc2 128 -> 10                                   [B, 10]   the logits
 * </pre>
 * 206,922 parameters (0.83 MB in float32). The same arrays serve training (as DJL
 * parameters with gradients) and inference.
 */
public final class FmnistClassifier implements AutoCloseable {

    /** Side of the input images. */
    public static final int SIZE = 28;
    /** Width of the penultimate layer: the feature dimension for FID and precision/recall. */
    public static final int FEATURES = 128;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Parameter names and shapes, in file order. */
    public static final Map<String, long[]> SHAPES = shapes();
    /** Classpath location of the bundled weights. */
    public static final String BUNDLED_RESOURCE = "/fmnist/fmnist-classifier.safetensors";

    private static final float MEAN = 0.2860f;
    private static final float STD = 0.3530f;

    private final Map<String, Parameter> params;

    private FmnistClassifier(Map<String, Parameter> params) {
        this.params = params;
    }

    private static Map<String, long[]> shapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("conv1.weight", new long[] {16, 1, 3, 3});
        s.put("conv1.bias", new long[] {16});
        s.put("conv2.weight", new long[] {32, 16, 3, 3});
        s.put("conv2.bias", new long[] {32});
        s.put("fc1.weight", new long[] {FEATURES, 32 * 7 * 7});
        s.put("fc1.bias", new long[] {FEATURES});
        s.put("fc2.weight", new long[] {CLASSES, FEATURES});
        s.put("fc2.bias", new long[] {CLASSES});
        return java.util.Collections.unmodifiableMap(s);
    }

    /**
     * Creates trainable parameters in {@code manager}: He-uniform weights
     * (bound sqrt(6 / fan_in)) from {@code seed}, zero biases.
     */
    public static FmnistClassifier initialize(NDManager manager, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : SHAPES.entrySet()) {
            long[] shape = e.getValue();
            int n = (int) new Shape(shape).size();
            float[] values = new float[n];
            if (shape.length > 1) {
                long fanIn = n / shape[0];
                double bound = Math.sqrt(6.0 / fanIn);
                for (int i = 0; i < n; i++) {
                    values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
            }
            params.put(e.getKey(), parameter(manager, e.getKey(), manager.create(values, new Shape(shape)), true));
        }
        return new FmnistClassifier(params);
    }

    /**
     * Loads weights saved by {@link #tensors()} (a safetensors file), strictly.
     *
     * @throws FormatException when a tensor is missing, extra, or has another shape or dtype
     */
    public static FmnistClassifier load(Map<String, HostTensor> tensors, NDManager manager, String source)
            throws FormatException {
        for (String key : tensors.keySet()) {
            if (!SHAPES.containsKey(key)) {
                throw new FormatException(source + ": unexpected tensor '" + key + "'; expected exactly "
                        + SHAPES.keySet());
            }
        }
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : SHAPES.entrySet()) {
            HostTensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new FormatException(source + ": missing tensor '" + e.getKey() + "'; expected " + SHAPES.keySet());
            }
            if (!java.util.Arrays.equals(t.shape(), e.getValue()) || t.dtype() != org.mutor.common.tensor.DType.FLOAT32) {
                throw new FormatException(source + ": tensor '" + e.getKey() + "' is " + t + ", expected float32 "
                        + java.util.Arrays.toString(e.getValue()));
            }
            params.put(e.getKey(), parameter(manager, e.getKey(), t.toNDArray(manager), false));
        }
        return new FmnistClassifier(params);
    }

    /** Loads a safetensors weights file. */
    public static FmnistClassifier load(Path file, NDManager manager) throws IOException {
        return load(SafeTensors.read(file).tensors(), manager, file.toString());
    }

    /** Loads the weights bundled on the classpath at {@value #BUNDLED_RESOURCE}. */
    public static FmnistClassifier loadBundled(NDManager manager) throws IOException {
        Path temp = Files.createTempFile("fmnist-classifier", ".safetensors");
        try (InputStream in = FmnistClassifier.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new FormatException("classpath resource " + BUNDLED_RESOURCE + " is missing; rebuild eval-fid "
                        + "or train the weights with FmnistClassifierTrainer");
            }
            Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return load(SafeTensors.read(temp).tensors(), manager, "classpath:" + BUNDLED_RESOURCE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Parameter parameter(NDManager manager, String name, NDArray array, boolean trainable) {
        Parameter p = Parameter.builder().setName(name)
                .setType(name.endsWith("bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT).build();
        if (trainable) {
            array.setRequiresGradient(true);
        }
        p.setArray(array);
        return p;
    }

    /** Parameters by name, for the optimizer. */
    public Map<String, Parameter> params() {
        return params;
    }

    /** Current weights as host tensors, ready for {@link SafeTensors#write}. */
    public Map<String, HostTensor> tensors() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put(name, HostTensor.fromNDArray(p.getArray())));
        return out;
    }

    private NDArray w(String name) {
        return params.get(name).getArray();
    }

    /** Penultimate activations {@code [B, 128]} of images {@code [B, 1, 28, 28]} in [0, 1]. */
    public NDArray features(NDArray images) {
        NDArray x = images.toType(DataType.FLOAT32, false).sub(MEAN).div(STD);
        // [B, 16, 14, 14]
        x = Activation.relu(Conv2d.conv2d(x, w("conv1.weight"), w("conv1.bias"), new Shape(1, 1), new Shape(1, 1))
                .head());
        x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        // [B, 32, 7, 7]
        x = Activation.relu(Conv2d.conv2d(x, w("conv2.weight"), w("conv2.bias"), new Shape(1, 1), new Shape(1, 1))
                .head());
        x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        // [B, 1568] -> [B, 128]
        x = x.reshape(x.getShape().get(0), -1);
        return Activation.relu(Linear.linear(x, w("fc1.weight"), w("fc1.bias")).head());
    }

    /** Class logits {@code [B, 10]} from features {@code [B, 128]}. */
    public NDArray logits(NDArray features) {
        return Linear.linear(features, w("fc2.weight"), w("fc2.bias")).head();
    }

    @Override
    public void close() {
        params.values().forEach(Parameter::close);
    }
}
