package org.mutor.common.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Permission;

/**
 * Fails every socket connection to a host other than loopback, for test runs on
 * machines where the network namespace cannot be cut off. Enabled by the system
 * property {@code mutor.network.guard=true} together with
 * {@code -Djava.security.manager=allow}, which Java 17 needs to install it.
 */
@SuppressWarnings("removal") // SecurityManager is deprecated, but it is the one hook that sees every connect.
final class NetworkGuard extends SecurityManager {

    private NetworkGuard() {
    }

    /** Installs the guard when {@code mutor.network.guard} is true; does nothing otherwise. */
    static synchronized void installIfRequested() {
        if (!Boolean.getBoolean("mutor.network.guard") || System.getSecurityManager() instanceof NetworkGuard) {
            return;
        }
        System.setSecurityManager(new NetworkGuard());
    }

    @Override
    public void checkPermission(Permission permission) {
        // Everything but connections is allowed.
    }

    @Override
    public void checkPermission(Permission permission, Object context) {
        // Everything but connections is allowed.
    }

    @Override
    public void checkConnect(String host, int port) {
        if (!isLoopback(host)) {
            throw new SecurityException("network access is blocked in tests: connection to " + host + ":" + port);
        }
    }

    @Override
    public void checkConnect(String host, int port, Object context) {
        checkConnect(host, port);
    }

    private static boolean isLoopback(String host) {
        if (host == null || host.equals("localhost")) {
            return true;
        }
        try {
            // Only literal addresses are checked without a lookup; names other than localhost are refused.
            if (!Character.isDigit(host.charAt(0)) && host.indexOf(':') < 0) {
                return false;
            }
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
