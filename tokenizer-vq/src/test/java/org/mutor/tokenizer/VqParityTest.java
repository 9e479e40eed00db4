package org.mutor.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

/**
 * Compares the Java tokenizer with the PyTorch reference on a random-weight model
 * whose codebook rows are not unit length. Inputs are a batch of two 32x32 images
 * (noise and a smooth pattern) and one non-square 32x48 image, which checks the
 * row-major grid order.
 */
class VqParityTest {

    private static VqModel model;

    @BeforeAll
    static void load() throws IOException {
        model = VqFixture.model();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static void assertClose(NDArray got, String file, double tolerance) throws IOException {
        float[] want = VqFixture.array(file).toFloatArray();
        assertArrayEquals(VqFixture.array(file).shape(), got.getShape().getShape(), file + " shape");
        double error = VqFixture.relativeError(got.toFloatArray(), want);
        assertTrue(error < tolerance, file + ": relative error " + error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"square", "wide"})
    void encoderOutputMatchesTorch(String batch) throws IOException {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray images = VqFixture.ndarray(m, batch + "_images.npy");
            assertClose(model.encoderOutput(images), batch + "_encoder.npy", 1e-4);
            assertClose(model.encodeContinuous(images), batch + "_prequant.npy", 1e-4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"square", "wide"})
    void codesMatchTorchExactly(String batch) throws IOException {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray codes = model.encode(VqFixture.ndarray(m, batch + "_images.npy"));
            long[] want = VqFixture.array(batch + "_codes.npy").toLongArray();
            assertEquals(DataType.INT64, codes.getDataType());
            assertArrayEquals(VqFixture.array(batch + "_codes.npy").shape(), codes.getShape().getShape());
            assertArrayEquals(want, codes.toLongArray());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"square", "wide"})
    void decodedImagesMatchTorch(String batch) throws IOException {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray codes = VqFixture.ndarray(m, batch + "_codes.npy");
            assertClose(model.decode(codes), batch + "_decoded.npy", 1e-4);
            // One pass from images gives the same result as decode(encode(images)).
            assertClose(model.reconstruct(VqFixture.ndarray(m, batch + "_images.npy")), batch + "_decoded.npy", 1e-4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"square", "wide"})
    void trainingForwardMatchesTorchLosses(String batch) throws IOException {
        JsonObject want = VqFixture.expected().getAsJsonObject("batches").getAsJsonObject(batch);
        try (NDManager m = model.manager().newSubManager()) {
            VqModel.TrainOutput out = model.forwardTrain(VqFixture.ndarray(m, batch + "_images.npy"));
            assertArrayEquals(VqFixture.array(batch + "_codes.npy").toLongArray(), out.codes().toLongArray());
            assertClose(out.reconstruction(), batch + "_decoded.npy", 1e-4);
            double codebook = out.codebookLoss().getFloat();
            double commit = out.commitLoss().getFloat();
            assertEquals(want.get("codebook_loss").getAsDouble(), codebook, 1e-5 * codebook);
            assertEquals(want.get("commit_loss").getAsDouble(), commit, 1e-5 * commit);
            // The commitment loss is beta times the same squared distance.
            assertEquals(0.25 * codebook, commit, 1e-6 * codebook);
            assertEquals(new Shape(), out.codebookLoss().getShape());
        }
    }
}
