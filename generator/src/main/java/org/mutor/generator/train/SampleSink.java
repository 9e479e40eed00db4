package org.mutor.generator.train;

import java.io.IOException;

/**
 * Receives the codes sampled during training, for example to decode them with the VQ tokenizer
 * into an image grid. The trainer always saves the codes as .npy as well.
 */
@FunctionalInterface
public interface SampleSink {

    /**
     * Accepts one batch of samples.
     *
     * @param step optimizer steps done
     * @param labels class of each sample
     * @param codes codes {@code [samples][h * w]} in raster order
     * @param gridHeight rows h of the token grid
     * @param gridWidth columns w of the token grid
     */
    void accept(long step, int[] labels, long[][] codes, int gridHeight, int gridWidth) throws IOException;
}
