package org.mutor.common.data;

import org.mutor.common.image.RgbImage;

/**
 * A decoded dataset image with its class index.
 *
 * @param image decoded pixels
 * @param label class index into the dataset's sorted class list
 * @param source file path or archive entry name, for logs
 */
public record LabeledImage(RgbImage image, int label, String source) {
}
