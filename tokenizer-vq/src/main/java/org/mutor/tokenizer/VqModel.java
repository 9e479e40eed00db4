package org.mutor.tokenizer;

import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Collections;
import java.util.Map;

/**
 * LlamaGen's VQ image tokenizer on the engine, with parameters under LlamaGen's
 * checkpoint key names. Images are [B, 3, H, W] in [-1, 1] with H and W multiples of
 * the downsampling factor; codes are [B, h, w] int64 on the grid h = H / f, w = W / f,
 * flattened row-major when a caller needs a sequence.
 *
 * <p>Dimension letters: B batch, Z encoder output channels (z_channels), D codebook
 * width, K codebook rows, h and w grid height and width.
 *
 * <p>Every method returns a new array owned by the manager of its input and closes
 * its intermediates before returning; the model itself owns only its parameters.
 */
public final class VqModel implements AutoCloseable {

    private final VqConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final VqLayers inference;
    private final VqLayers training;

    VqModel(VqConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = parameters;
        this.inference = new VqLayers(parameters, config.dropoutP(), false);
        this.training = new VqLayers(parameters, config.dropoutP(), true);
    }

    /** The training output: reconstruction and the two quantizer losses, with the straight-through estimator. */
    public record TrainOutput(NDArray reconstruction, NDArray codebookLoss, NDArray commitLoss, NDArray codes) {
    }

    public VqConfig config() {
        return config;
    }

    /** Returns the manager that owns the parameters. */
    public NDManager manager() {
        return manager;
    }

    /** Parameters by LlamaGen key name, in state_dict order. */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Encoder output before quant_conv: [B, 3, H, W] -> [B, Z, h, w]. */
    public NDArray encoderOutput(NDArray images) {
        checkImages(images);
        return encoder(inference, images);
    }

    /**
     * Computes the vectors to be quantised, quant_conv(encoder(x)) before normalisation:
     * [B, 3, H, W] -> [B, D, h, w].
     */
    public NDArray encodeContinuous(NDArray images) {
        checkImages(images);
        return VqLayers.scoped(() -> inference.conv1(encoder(inference, images), "quant_conv"));
    }

    /** Codes of the nearest codebook rows: [B, 3, H, W] -> [B, h, w] int64. */
    public NDArray encode(NDArray images) {
        checkImages(images);
        return VqLayers.scoped(() -> nearestCodes(inference.conv1(encoder(inference, images), "quant_conv")));
    }

    /** Quantised vectors of codes, the (normalised) codebook rows: [B, h, w] -> [B, D, h, w]. */
    public NDArray lookup(NDArray codes) {
        checkCodes(codes);
        return VqLayers.scoped(() -> quantized(codes).duplicate());
    }

    /** Images from quantised vectors: [B, D, h, w] -> [B, 3, H, W]. */
    public NDArray decodeLatent(NDArray quantized) {
        Shape s = quantized.getShape();
        if (s.dimension() != 4 || s.get(1) != config.codebookEmbedDim() || s.size() == 0) {
            throw new IllegalArgumentException("quantized vectors have shape " + s + "; expected [B, "
                    + config.codebookEmbedDim() + ", h, w] for codebook_embed_dim " + config.codebookEmbedDim());
        }
        return VqLayers.scoped(() -> decoder(inference, inference.conv1(quantized, "post_quant_conv")));
    }

    /** Images from codes: [B, h, w] -> [B, 3, H, W]. */
    public NDArray decode(NDArray codes) {
        checkCodes(codes);
        return VqLayers.scoped(() -> decoder(inference, inference.conv1(quantized(codes), "post_quant_conv")));
    }

    /** decode(encode(images)) in one pass: [B, 3, H, W] -> [B, 3, H, W]. */
    public NDArray reconstruct(NDArray images) {
        checkImages(images);
        return VqLayers.scoped(() -> {
            NDArray codes = nearestCodes(inference.conv1(encoder(inference, images), "quant_conv"));
            return decoder(inference, inference.conv1(quantized(codes), "post_quant_conv"));
        });
    }

    /** [B, D, h, w] -> codes [B, h, w]. */
    private NDArray nearestCodes(NDArray z) {
        Shape s = z.getShape();
        NDArray rows = VectorQuantizer.flatten(z, config.codebookL2Norm());      // [M, D]
        return VectorQuantizer.nearest(rows, searchCodebook()).reshape(s.get(0), s.get(2), s.get(3));
    }

    /** [B, h, w] -> [B, D, h, w] (a transposed view). */
    private NDArray quantized(NDArray codes) {
        return VectorQuantizer.lookup(searchCodebook(), codes).transpose(0, 3, 1, 2);
    }

    /** Returns the codebook rows used for search and lookup, [K, D]. */
    private NDArray searchCodebook() {
        return VectorQuantizer.codebook(param(VqWeights.CODEBOOK), config.codebookL2Norm());
    }

    /**
     * The training forward pass, differentiable with respect to every parameter. The
     * losses follow LlamaGen with the entropy term off: codebook loss
     * mean((z_q - sg(z))^2) and commitment loss beta * mean((sg(z_q) - z)^2), where z
     * is the (normalised) encoder vector and sg stops gradients. The decoder input is
     * z + sg(z_q - z), so reconstruction gradients pass straight through to the encoder.
     * Dropout is active when the config sets it.
     */
    public TrainOutput forwardTrain(NDArray images) {
        checkImages(images);
        NDArray reconstruction;
        NDArray codebookLoss;
        NDArray commitLoss;
        NDArray codes;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray z = training.conv1(encoder(training, images), "quant_conv"); // [B, D, h, w]
            Shape s = z.getShape();
            NDArray rows = VectorQuantizer.flattenForTraining(z, config.codebookL2Norm()); // [M, D]
            NDArray codebook = searchCodebook();                                  // [K, D]
            NDArray flatCodes = VectorQuantizer.nearest(rows.stopGradient(), codebook.stopGradient()); // [M]
            NDArray zq = VectorQuantizer.lookup(codebook, flatCodes);            // [M, D]
            codebookLoss = zq.sub(rows.stopGradient()).square().mean();
            // A float scalar keeps the 0-d loss in float32 (a double would promote it).
            NDArray commitMse = zq.stopGradient().sub(rows).square().mean();
            commitLoss = commitMse.mul(EngineArrays.scalar(commitMse, config.commitLossBeta()));
            // Straight-through: the value of z_q with the gradient of z.
            NDArray passed = rows.add(zq.sub(rows).stopGradient());               // [M, D]
            NDArray quantized = passed.reshape(s.get(0), s.get(2), s.get(3), s.get(1)).transpose(0, 3, 1, 2);
            reconstruction = decoder(training, training.conv1(quantized, "post_quant_conv"));
            codes = flatCodes.reshape(s.get(0), s.get(2), s.get(3));
            NDScope.unregister(reconstruction, codebookLoss, commitLoss, codes);
        }
        for (NDArray kept : new NDArray[] {reconstruction, codebookLoss, commitLoss, codes}) {
            NDScope.register(kept);
        }
        return new TrainOutput(reconstruction, codebookLoss, commitLoss, codes);
    }

    /** conv_in, levels with downsampling, middle, output head. */
    private NDArray encoder(VqLayers layers, NDArray x) {
        return VqLayers.scoped(() -> {
            NDArray h = layers.conv3(x, "encoder.conv_in");                      // [B, ch, H, W]
            for (int l = 0; l < config.levels(); l++) {
                String p = "encoder.conv_blocks." + l + ".";
                boolean last = l == config.levels() - 1;
                for (int j = 0; j < config.numResBlocks(); j++) {
                    h = layers.resBlock(h, p + "res." + j);
                    // Attention follows each residual block of the last level only.
                    if (last) {
                        h = layers.attnBlock(h, p + "attn." + j);
                    }
                }
                if (!last) {
                    h = layers.downsample(h, p + "downsample");                  // halves H and W
                }
            }
            h = layers.resBlock(h, "encoder.mid.0");
            h = layers.attnBlock(h, "encoder.mid.1");
            h = layers.resBlock(h, "encoder.mid.2");
            return layers.out(h, "encoder");                                     // [B, Z, h, w]
        });
    }

    /** conv_in, middle, levels from the lowest resolution up with upsampling, output head. */
    private NDArray decoder(VqLayers layers, NDArray z) {
        return VqLayers.scoped(() -> {
            NDArray h = layers.conv3(z, "decoder.conv_in");                      // [B, ch * mult[-1], h, w]
            h = layers.resBlock(h, "decoder.mid.0");
            h = layers.attnBlock(h, "decoder.mid.1");
            h = layers.resBlock(h, "decoder.mid.2");
            for (int i = 0; i < config.levels(); i++) {
                String p = "decoder.conv_blocks." + i + ".";
                for (int j = 0; j <= config.numResBlocks(); j++) {
                    h = layers.resBlock(h, p + "res." + j);
                    // Attention follows each residual block of the first (lowest-resolution) level only.
                    if (i == 0) {
                        h = layers.attnBlock(h, p + "attn." + j);
                    }
                }
                if (i != config.levels() - 1) {
                    h = layers.upsample(h, p + "upsample");                      // doubles H and W
                }
            }
            return layers.out(h, "decoder");                                     // [B, 3, H, W]
        });
    }

    private NDArray param(String name) {
        return parameters.get(name);
    }

    private void checkImages(NDArray images) {
        Shape s = images.getShape();
        int f = config.downsampleFactor();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) % f != 0 || s.get(3) % f != 0 || s.get(2) == 0
                || s.get(3) == 0) {
            throw new IllegalArgumentException("images have shape " + s + "; expected [B, 3, H, W] with H and W "
                    + "positive multiples of the downsampling factor " + f);
        }
        if (images.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("images have type " + images.getDataType() + "; expected float32");
        }
    }

    private void checkCodes(NDArray codes) {
        Shape s = codes.getShape();
        if (s.dimension() != 3 || s.size() == 0) {
            throw new IllegalArgumentException("codes have shape " + s + "; expected a non-empty [B, h, w] grid");
        }
        if (!codes.getDataType().isInteger()) {
            throw new IllegalArgumentException("codes have type " + codes.getDataType() + "; expected an integer type");
        }
        long min;
        long max;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            min = codes.min().toType(DataType.INT64, false).getLong();
            max = codes.max().toType(DataType.INT64, false).getLong();
        }
        if (min < 0 || max >= config.codebookSize()) {
            throw new IllegalArgumentException("codes range over [" + min + ", " + max + "]; expected codes in [0, "
                    + config.codebookSize() + ") for codebook_size " + config.codebookSize());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
