package org.mutor.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Reads the version that Maven writes into the jar's resources. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/mutor-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {
            "mutor " + properties.getProperty("version", "unknown"),
            "Deep Java Library " + properties.getProperty("djl.version", "unknown")
                    + ", libtorch " + properties.getProperty("libtorch.version", "unknown"),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        };
    }
}
