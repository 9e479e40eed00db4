package org.mutor.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

/** Behaviour of the model beyond parity: guards, codebook normalisation, memory and gradients. */
class VqModelTest {

    private static VqModel model;

    @BeforeAll
    static void load() throws IOException {
        model = VqFixture.model();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void rejectsImagesOffTheGrid() {
        try (NDManager m = model.manager().newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.encode(m.zeros(new Shape(1, 3, 30, 32))));
            assertTrue(e.getMessage().contains("(1, 3, 30, 32)"), e.getMessage());
            assertTrue(e.getMessage().contains("factor 4"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.encode(m.zeros(new Shape(1, 1, 32, 32))));
            assertThrows(IllegalArgumentException.class,
                    () -> model.encode(m.zeros(new Shape(1, 3, 32, 32), DataType.FLOAT64)));
        }
    }

    @Test
    void rejectsCodesOutsideTheCodebook() {
        try (NDManager m = model.manager().newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.decode(m.create(new long[] {0, 64, 3, 2}, new Shape(1, 2, 2))));
            assertTrue(e.getMessage().contains("range over [0, 64]"), e.getMessage());
            assertTrue(e.getMessage().contains("expected codes in [0, 64)"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> model.decode(m.create(new long[] {1, 2}, new Shape(1, 2))));
            assertThrows(IllegalArgumentException.class,
                    () -> model.decode(m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2))));
        }
    }

    @Test
    void decodeLatentChecksWidth() {
        try (NDManager m = model.manager().newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.decodeLatent(m.zeros(new Shape(1, 4, 8, 8))));
            assertTrue(e.getMessage().contains("expected [B, 8, h, w]"), e.getMessage());
        }
    }

    /** The stored rows have lengths far from one; lookup must return the normalised rows. */
    @Test
    void lookupReturnsNormalisedRows() {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray stored = model.parameters().get(VqWeights.CODEBOOK).norm(new int[] {1});
            assertTrue(stored.max().getFloat() - stored.min().getFloat() > 1f, "fixture rows are not unit length");
            NDArray codes = m.arange(0, 64, 1, DataType.INT64).reshape(1, 8, 8);
            NDArray rows = model.lookup(codes);                             // [1, D, 8, 8]
            assertEquals(new Shape(1, 8, 8, 8), rows.getShape());
            NDArray norms = rows.norm(new int[] {1});
            assertEquals(1f, norms.min().getFloat(), 1e-5f);
            assertEquals(1f, norms.max().getFloat(), 1e-5f);
            // Row-major order: grid cell (r, c) contains code 8r + c, so its vector is row 8r + c of the codebook.
            NDArray cell = rows.get(":, :, 2, 5").flatten();
            NDArray want = model.parameters().get(VqWeights.CODEBOOK).get(21);
            assertTrue(cell.sub(want.div(want.norm())).abs().max().getFloat() < 1e-6f);
        }
    }

    @Test
    void encodeDecodeCloseIntermediates() throws IOException {
        int modelArrays = model.manager().getManagedArrays().size();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray images = VqFixture.ndarray(m, "square_images.npy");
            int before = m.getManagedArrays().size();
            NDArray codes = model.encode(images);
            NDArray decoded = model.decode(codes);
            assertEquals(before + 2, m.getManagedArrays().size(), "intermediates were closed");
            assertEquals(new Shape(2, 3, 32, 32), decoded.getShape());
        }
        assertEquals(modelArrays, model.manager().getManagedArrays().size(), "nothing was left in the model's manager");
    }

    /** Gradients reach the encoder through the straight-through estimator and the codebook through its loss. */
    @Test
    void trainingForwardIsDifferentiable() throws IOException {
        try (VqModel trainable = VqFixture.model(); NDManager m = trainable.manager().newSubManager()) {
            trainable.parameters().values().forEach(p -> p.setRequiresGradient(true));
            NDArray images = VqFixture.ndarray(m, "square_images.npy");
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                VqModel.TrainOutput out = trainable.forwardTrain(images);
                NDArray loss = out.reconstruction().sub(images).square().mean()
                        .add(out.codebookLoss()).add(out.commitLoss());
                collector.backward(loss);
            }
            for (String name : new String[] {"encoder.conv_in.weight", "quant_conv.weight", VqWeights.CODEBOOK,
                    "post_quant_conv.weight", "decoder.conv_out.bias"}) {
                float g = trainable.parameters().get(name).getGradient().abs().sum().getFloat();
                assertTrue(g > 0, name + " gradient " + g);
                assertTrue(Float.isFinite(g), name + " gradient " + g);
            }
        }
    }
}
