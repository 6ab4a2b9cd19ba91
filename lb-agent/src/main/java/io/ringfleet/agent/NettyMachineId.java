package io.ringfleet.agent;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Gives the shaded Netty copies (grpc-java's and Ratis's) a random machine id before they look for one. Netty
 * derives it from a hardware address only to make channel ids unique; in a network namespace with nothing but
 * {@code lo} it finds none and logs a warning on every start, which operators would take for a fault.
 */
public final class NettyMachineId {
    private static final String[] PROPERTIES = {
        "io.grpc.netty.shaded.io.netty.machineId", "org.apache.ratis.thirdparty.io.netty.machineId"
    };

    private NettyMachineId() {}

    /** Sets a random id for each copy whose property is unset; call first thing in main. */
    public static void setIfAbsent() {
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        String text = HexFormat.ofDelimiter(":").formatHex(id);
        for (String p : PROPERTIES) {
            if (System.getProperty(p) == null) {
                System.setProperty(p, text);
            }
        }
    }
}
