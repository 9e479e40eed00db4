package org.mutor.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.mutor.common.engine.EngineSetup;

import java.nio.file.Path;

/** Java side of bench/inception_bench.sh: FID Inception features per second, batch 16. */
public final class InceptionBench {

    private InceptionBench() {
    }

    public static void main(String[] args) throws Exception {
        EngineSetup.offline();
        EngineSetup.start(new EngineSetup.Options(2, 1, 1L, EngineSetup.DeviceChoice.AUTO));
        int batches = 5;
        try (NDManager manager = NDManager.newBaseManager(EngineSetup.device());
             InceptionExtractor extractor = InceptionExtractor.load(Path.of(args[0]), manager)) {
            NDArray images = manager.randomInteger(0, 256, new Shape(16, Integer.getInteger("bench.size", 256), Integer.getInteger("bench.size", 256), 3), DataType.INT32)
                    .toType(DataType.UINT8, false);
            // Every batch runs in a scope: results of ops on the images would otherwise pile up in
            // the images' manager, and the growing memory slowed later batches several-fold.
            try (NDManager sub = manager.newSubManager(); NDScope scope = new NDScope()) {
                extractor.extract(images, sub).pool().toFloatArray(); // warm-up
            }
            long start = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                try (NDManager sub = manager.newSubManager(); NDScope scope = new NDScope()) {
                    extractor.extract(images, sub).pool().toFloatArray();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("java (DJL): %.2f images/s%n", 16 * batches / seconds);
        }
    }
}
