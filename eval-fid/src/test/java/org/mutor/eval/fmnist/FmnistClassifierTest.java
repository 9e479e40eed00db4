package org.mutor.eval.fmnist;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.mutor.common.data.FashionMnist;
import org.mutor.common.engine.EngineSetup;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled classifier on the real Fashion-MNIST test split. */
class FmnistClassifierTest {

    @Test
    void bundledWeightsReachNinetyPercentOnTheTestSplit() throws Exception {
        EngineSetup.offline();
        try (NDManager manager = NDManager.newBaseManager(EngineSetup.device());
             FmnistClassifier model = FmnistClassifier.loadBundled(manager)) {
            double accuracy = FmnistClassifierTrainer.accuracy(model, FashionMnist.test(), manager);
            System.out.printf("Fashion-MNIST test accuracy of the bundled classifier: %.4f%n", accuracy);
            assertTrue(accuracy >= 0.90, "accuracy " + accuracy);
        }
    }
}
