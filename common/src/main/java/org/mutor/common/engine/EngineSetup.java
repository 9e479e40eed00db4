package org.mutor.common.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/**
 * The one place where every entry point and test prepares the Deep Java Library
 * PyTorch engine.
 *
 * <p>{@link #offline()} must run before any DJL class loads: without
 * {@code ai.djl.offline=true} and {@code OPT_OUT_TRACKING=true}, DJL's engine start-up
 * queries a cloud instance-metadata address over HTTP. Thread counts are system
 * properties that DJL reads once, when the engine first loads, so they are set here
 * too. This class only touches DJL classes in {@link #start}, after the properties.
 */
public final class EngineSetup {

    /** Device selection as users spell it on the command line. */
    public enum DeviceChoice {
        CPU, GPU, AUTO;

        /** Parses cpu, gpu or auto, case-insensitively. */
        public static DeviceChoice parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid device '" + value + "'; use cpu, gpu or auto", e);
            }
        }
    }

    /**
     * Engine settings.
     *
     * @param intraOpThreads threads inside one operator; 0 means one per available processor
     * @param interOpThreads threads running independent operators; 1 avoids oversubscription on CPUs
     * @param seed seed for the engine's own random generator, or null to leave it unseeded
     * @param device where tensors live
     */
    public record Options(int intraOpThreads, int interOpThreads, Long seed, DeviceChoice device) {

        public Options {
            if (intraOpThreads < 0) {
                throw new IllegalArgumentException("invalid intra-op thread count " + intraOpThreads
                        + "; use 0 for one per processor, or a positive count");
            }
            if (interOpThreads < 1) {
                throw new IllegalArgumentException("invalid inter-op thread count " + interOpThreads
                        + "; use a positive count");
            }
        }

        /** One intra-op thread per processor, one inter-op thread, no seed, CPU. */
        public static Options defaults() {
            return new Options(0, 1, null, DeviceChoice.CPU);
        }

        public Options withSeed(long value) {
            return new Options(intraOpThreads, interOpThreads, value, device);
        }

        public Options withDevice(DeviceChoice value) {
            return new Options(intraOpThreads, interOpThreads, seed, value);
        }
    }

    private static volatile Device device;

    private EngineSetup() {
    }

    /**
     * Sets DJL's offline and tracking opt-out properties, unless the user set them
     * already. Safe to call any number of times; call it first in every main method.
     */
    public static void offline() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        NetworkGuard.installIfRequested();
    }

    /**
     * Applies the options and loads the engine, returning the device to compute on.
     * Thread counts only take effect when this is the first call in the JVM that loads
     * the engine; later calls keep the counts that the engine started with.
     *
     * @throws IllegalStateException when a GPU is requested but the engine sees none
     */
    public static synchronized Device start(Options options) {
        offline();
        int intra = options.intraOpThreads() == 0
                ? Runtime.getRuntime().availableProcessors() : options.intraOpThreads();
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(intra));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", Integer.toString(options.interOpThreads()));
        Engine engine = Engine.getEngine("PyTorch");
        if (options.seed() != null) {
            engine.setRandomSeed(options.seed().intValue());
        }
        int gpus = engine.getGpuCount();
        Device chosen;
        switch (options.device()) {
            case GPU:
                if (gpus == 0) {
                    throw new IllegalStateException("--device gpu was requested but the engine sees no GPU; "
                            + "run with a CUDA libtorch (see the README, section GPU) or use --device cpu");
                }
                chosen = Device.gpu();
                break;
            case AUTO:
                chosen = gpus > 0 ? Device.gpu() : Device.cpu();
                break;
            default:
                chosen = Device.cpu();
        }
        device = chosen;
        return chosen;
    }

    /** Starts the engine with default options, once, and returns its device. */
    public static Device device() {
        Device d = device;
        return d != null ? d : start(Options.defaults());
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
