package org.mutor.cli;

import ai.djl.engine.Engine;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The one command that may use the network: on a connected GPU node it lets DJL
 * download the CUDA build of libtorch into its cache once, so that later runs with
 * {@code MUTOR_GPU=1} find it offline.
 */
@Command(name = "setup-gpu",
        mixinStandardHelpOptions = true,
        description = {
            "Download the CUDA build of libtorch once (needs internet; run it on the GPU node).",
            "Run it through the launcher as 'MUTOR_GPU=1 ./mutor setup-gpu': the launcher then leaves the CPU natives "
                    + "off the class path and allows this one download. Alternatively, skip this command and point "
                    + "PYTORCH_LIBRARY_PATH at a CUDA libtorch " + SetupGpuCommand.LIBTORCH_VERSION + " you unpacked yourself."
        })
final class SetupGpuCommand implements Callable<Integer> {

    static final String LIBTORCH_VERSION = "2.7.1";

    @Spec
    CommandSpec spec;

    @Option(names = "--flavor", defaultValue = "cu128", paramLabel = "FLAVOR",
            description = "libtorch build to fetch; DJL 0.36.0 ships its JNI layer for cu128. Default: ${DEFAULT-VALUE}.")
    String flavor;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!"false".equals(System.getProperty("ai.djl.offline"))) {
            throw new IllegalStateException("setup-gpu must be started as 'MUTOR_GPU=1 ./mutor setup-gpu', which allows "
                    + "its one download; every other command runs offline");
        }
        if (SetupGpuCommand.class.getResource("/native/lib/pytorch.properties") != null) {
            throw new IllegalStateException("the CPU libtorch natives are on the class path, so DJL would use them; "
                    + "start with MUTOR_GPU=1 ./mutor setup-gpu");
        }
        System.setProperty("PYTORCH_VERSION", LIBTORCH_VERSION);
        System.setProperty("PYTORCH_FLAVOR", flavor);
        out.println("Fetching libtorch " + LIBTORCH_VERSION + " (" + flavor + ") into the DJL cache "
                + System.getProperty("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai") + " ...");
        out.flush();
        Engine engine = Engine.getEngine("PyTorch");
        out.println("Engine " + engine.getEngineName() + " " + engine.getVersion() + " loaded; GPUs visible: "
                + engine.getGpuCount());
        out.println("Now run commands as 'MUTOR_GPU=1 ./mutor ... --device gpu'.");
        return engine.getGpuCount() > 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
