package org.mutor.cli;

import ai.djl.Device;

import org.mutor.common.engine.EngineSetup;

import picocli.CommandLine.Option;

/** Options shared by every command that computes on the engine. */
public final class CommonOptions {

    @Option(names = "--device", paramLabel = "cpu|gpu|auto", defaultValue = "cpu",
            description = "Where to compute: cpu, gpu (requires a CUDA libtorch, see the README), "
                    + "or auto (a GPU when the engine sees one). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Intra-op threads; 0 uses one per available processor. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--interop-threads", paramLabel = "N", defaultValue = "1",
            description = "Inter-op threads. Default: ${DEFAULT-VALUE}.")
    int interopThreads;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of every random generator. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** Starts the engine with these options and returns the device. */
    public Device startEngine() {
        EngineSetup.Options options = new EngineSetup.Options(threads, interopThreads, seed,
                EngineSetup.DeviceChoice.parse(device));
        return EngineSetup.start(options);
    }
}
