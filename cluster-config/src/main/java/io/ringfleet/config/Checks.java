package io.ringfleet.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Shape checks shared by the loader (which adds file, line and field) and the model's builders. Each returns
 * {@code null} when the value is fine, else the reason it is not.
 */
final class Checks {
    static final String INTERFACE_RULE = "a Linux interface name: 1 to 15 characters, no '/', ':' or whitespace";
    static final String NETNS_RULE = "a network namespace name as `ip netns` shows it (1 to 64 letters, digits,"
            + " '.', '_' or '-') or an absolute path such as /run/netns/lb1";
    static final String PATH_RULE = "an absolute path without '.' or '..' segments";
    static final String SOURCE_V4_RULE = "an IPv4 unicast address of this node, e.g. 10.0.0.11";
    static final String SOURCE_V6_RULE = "an IPv6 unicast address of this node, e.g. fd00::11";

    private static final byte[] IPV4_BROADCAST = {(byte) 255, (byte) 255, (byte) 255, (byte) 255};

    private Checks() {}

    static String interfaceName(String name) {
        if (name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > 15) {
            return "it is " + name.length() + " characters long; Linux allows at most 15";
        }
        if (name.equals(".") || name.equals("..")) {
            return "it is reserved";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x20) {
                return "it contains " + describe(c);
            }
        }
        return null;
    }

    static String netns(String name) {
        if (name.startsWith("/")) {
            return absolutePath(name);
        }
        if (name.isEmpty() || name.length() > 64 || name.equals(".") || name.equals("..")) {
            return "it is not a namespace name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '.'
                    || c == '_'
                    || c == '-')) {
                return "it contains " + describe(c);
            }
        }
        return null;
    }

    static String absolutePath(String text) {
        if (text.isEmpty()) {
            return "it is empty";
        }
        if (!text.startsWith("/")) {
            return "it is not absolute";
        }
        if (text.indexOf('\0') >= 0) {
            return "it contains a NUL character";
        }
        for (String segment : text.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return "it has a '" + segment + "' segment";
            }
        }
        return null;
    }

    /**
     * Whether {@code address} can be the outer source of encapsulated health checks: a unicast address another
     * host can answer (an all-zero address would mean "no source" in the forwarder's hc_ctl).
     */
    static String unicastSource(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "it is the unspecified address";
        }
        if (address.isLoopbackAddress()) {
            return "it is a loopback address";
        }
        if (address.isMulticastAddress()) {
            return "it is a multicast address";
        }
        if (address.isLinkLocalAddress()) {
            return "it is a link-local address";
        }
        if (address instanceof Inet4Address && Arrays.equals(address.getAddress(), IPV4_BROADCAST)) {
            return "it is the broadcast address";
        }
        return null;
    }

    /** True when {@code path} is strictly below {@code dir}. */
    static boolean strictlyUnder(Path path, Path dir) {
        return path.startsWith(dir) && !path.equals(dir);
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        if (Character.isWhitespace(c) || c < 0x20) {
            return String.format("the control character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }
}
