package org.mutor.common.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns the engine's gradient recording off for a block of in-place updates and
 * restores it afterwards. PyTorch rejects in-place changes to a leaf that requires a
 * gradient while recording is on, and recording is on by default in threads the
 * engine did not start with, so every optimizer-side update runs inside this guard.
 */
final class NoGrad implements AutoCloseable {

    private final boolean previous;

    NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
