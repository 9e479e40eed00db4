package org.mutor.tokenizer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.tensor.EngineArrays;
import org.mutor.common.train.AdamW;

import java.util.Random;

class PatchDiscriminatorTest {

    @BeforeAll
    static void setUp() {
        EngineSetup.offline();
    }

    @Test
    void hingeLossOnHandMadeLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray real = EngineArrays.create(m, new float[] {2f, 0.5f, -1f, 1f}, new Shape(4));
            NDArray fake = EngineArrays.create(m, new float[] {-2f, 0f, 0.5f, -0.5f}, new Shape(4));
            // real: relu(1 - r) = 0, 0.5, 2, 0 -> mean 0.625; fake: relu(1 + f) = 0, 1, 1.5, 0.5 -> mean 0.75
            assertEquals(0.5 * (0.625 + 0.75), PatchDiscriminator.hingeLoss(real, fake).getFloat(), 1e-6);
            NDArray confident = EngineArrays.create(m, new float[] {3f, 1f}, new Shape(2));
            NDArray rejected = EngineArrays.create(m, new float[] {-1f, -4f}, new Shape(2));
            assertEquals(0, PatchDiscriminator.hingeLoss(confident, rejected).getFloat(), 0);
        }
    }

    @Test
    void patchLogitShapes() {
        try (NDManager m = NDManager.newBaseManager();
             PatchDiscriminator d = new PatchDiscriminator(m, 64, 1, AdamW.Options.betas(0.5, 0.9))) {
            assertEquals(new Shape(2, 1, 2, 2), d.logits(m.randomNormal(new Shape(2, 3, 32, 32))).getShape());
            assertEquals(new Shape(1, 1, 30, 30), d.logits(m.randomNormal(new Shape(1, 3, 256, 256))).getShape());
            // 3*64*16+64 + 64*128*16+2*128 + 128*256*16+2*256 + 256*512*16+2*512 + 512*16+1
            assertEquals(2_765_633, d.parameters().values().stream()
                    .mapToLong(p -> p.getArray().getShape().size()).sum());
        }
    }

    @Test
    void oneStepLowersTheLossOnAFixedPair() {
        try (NDManager m = NDManager.newBaseManager();
             PatchDiscriminator d = new PatchDiscriminator(m, 16, 3, AdamW.Options.betas(0.5, 0.9))) {
            Random r = new Random(7);
            float[] a = new float[4 * 3 * 32 * 32];
            float[] b = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (0.5 + 0.3 * r.nextGaussian());
                b[i] = (float) (-0.2 + 0.6 * r.nextGaussian());
            }
            NDArray real = EngineArrays.create(m, a, new Shape(4, 3, 32, 32));
            NDArray fake = EngineArrays.create(m, b, new Shape(4, 3, 32, 32));
            double before = d.trainStep(real, fake, 1.0, 1e-3);
            double after = d.trainStep(real, fake, 1.0, 1e-3);
            assertTrue(after < before, before + " -> " + after);
            assertEquals(2, d.optimizerSteps());
            // Running statistics moved away from their initial (0, 1).
            float[] mean = d.stateTensors("d/").get("d/main.3.running_mean").toFloatArray();
            assertTrue(mean[0] != 0f);
        }
    }
}
