package io.ringfleet.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Loopback ports for test fleets, below Linux's ephemeral range (32768..60999): a port from that range can be
 * taken by an outgoing connection (one peer's gRPC client dialling another) before its own peer binds it, and
 * Ratis then ends the JVM. A port is handed out once per JVM.
 */
public final class TestPorts {
    private static final int FIRST_PORT = 20_000;
    private static final int LAST_PORT = 32_000;
    private static final Random RANDOM = new SecureRandom();
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private TestPorts() {}

    /** A port free now on the loopback address. */
    public static synchronized int free() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = FIRST_PORT + RANDOM.nextInt(LAST_PORT - FIRST_PORT);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in " + FIRST_PORT + ".." + LAST_PORT + " after 1000 attempts");
    }

    /** n distinct free ports. */
    public static int[] free(int n) throws IOException {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = free();
        }
        return out;
    }
}
