package io.ringfleet.config;

import io.ringfleet.state.IpAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * A {@code host:port} address: an IPv4 literal, a bracketed IPv6 literal ({@code [fd00::1]:9870}) or a DNS
 * name. Parsing never resolves names and never touches the network. Hosts are kept in a canonical form
 * (lower case; IPv6 compressed as RFC 5952 says), so equal addresses compare equal.
 *
 * @param host the host without brackets
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host must not be null; use an IPv4 address, an IPv6 address or a DNS name");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be from 1 to 65535, got " + port);
        }
        host = canonicalHost(host);
    }

    /**
     * Parses {@code host:port}.
     *
     * @throws IllegalArgumentException with the reason, when the text is not a valid address
     */
    public static HostPort parse(String text) {
        Objects.requireNonNull(text, "text must not be null; use host:port");
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("the IPv6 address has no closing ']'");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("no port after the address");
            }
            port = rest.substring(1);
            if (Ip.ipv6(host) == null) {
                throw new IllegalArgumentException("\"" + host + "\" is not an IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("no port");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("an IPv6 address needs brackets: [address]:port");
            }
        }
        return new HostPort(host, parsePort(port));
    }

    /** True for 0.0.0.0 and ::, which a server may bind but nobody can connect to. */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::");
    }

    /** True for 127.0.0.0/8, ::1 and localhost. */
    public boolean isLoopback() {
        return host.startsWith("127.") && Ip.ipv4(host) != null || host.equals("::1") || host.equals("localhost");
    }

    /** True when the host is an IPv6 literal. */
    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    @Override
    public String toString() {
        return isIpv6() ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static int parsePort(String port) {
        if (port.isEmpty()) {
            throw new IllegalArgumentException("no port");
        }
        if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port \"" + port + "\" is not a number from 1 to 65535");
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("port " + value + " is not from 1 to 65535");
        }
        return value;
    }

    private static String canonicalHost(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty; use an IPv4 address, [IPv6] or a DNS name");
        }
        String v6 = host.indexOf(':') >= 0 ? Ip.ipv6(host) : null;
        if (v6 != null) {
            return v6;
        }
        if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("\"" + host + "\" is not an IPv6 address");
        }
        if (host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9')) {
            String v4 = Ip.ipv4(host);
            if (v4 == null) {
                throw new IllegalArgumentException(
                        "\"" + host + "\" is not an IPv4 address (four numbers 0-255 without leading zeros)");
            }
            return v4;
        }
        String lower = host.toLowerCase(Locale.ROOT);
        if (!Ip.dnsName(lower)) {
            throw new IllegalArgumentException("\"" + host + "\" is not an IP address or a DNS name"
                    + " (labels of letters, digits and '-', at most 63 characters each)");
        }
        return lower;
    }

    /**
     * Literal checks. IP literals are parsed by raft-state's {@link IpAddress} (strict, never a name lookup), whose
     * text form is the canonical one (RFC 5952 for IPv6).
     */
    static final class Ip {
        private Ip() {}

        /** The address if {@code s} is a dotted-quad IPv4 literal without leading zeros, else null. */
        static String ipv4(String s) {
            IpAddress a = parse(s);
            return a != null && a.isV4() && s.indexOf(':') < 0 ? a.toString() : null;
        }

        /** The RFC 5952 form of {@code s} if it is an IPv6 literal, else null. */
        static String ipv6(String s) {
            IpAddress a = s.indexOf(':') >= 0 ? parse(s) : null;
            return a != null && a.isV6() ? a.toString() : null;
        }

        private static IpAddress parse(String s) {
            try {
                return IpAddress.parse(s);
            } catch (IllegalArgumentException notALiteral) {
                return null;
            }
        }

        /** A DNS name: dot-separated labels of letters, digits and '-', not starting or ending with '-'. */
        static boolean dnsName(String s) {
            if (s.isEmpty() || s.length() > 253) {
                return false;
            }
            for (String label : s.split("\\.", -1)) {
                if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                    return false;
                }
                for (int i = 0; i < label.length(); i++) {
                    char c = label.charAt(i);
                    if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
