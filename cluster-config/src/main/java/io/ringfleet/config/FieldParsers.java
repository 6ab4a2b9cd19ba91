package io.ringfleet.config;

import io.ringfleet.config.Values.BadValue;
import io.ringfleet.config.Values.Parser;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.state.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.function.Function;

/** Parsers of the value types several sections share: ids, addresses, paths, MACs. */
final class FieldParsers {
    static final String ADDRESS_RULE = "host:port, e.g. 10.0.0.1:9870 or [fd00::1]:9870";
    static final String MAC_RULE = "the gateway's unicast MAC, e.g. \"0a:1b:2c:3d:4e:5f\"";

    private FieldParsers() {}

    static String id(Node n) throws BadValue {
        String text = Values.text(n, PeerConfig.ID_RULE);
        if (!PeerConfig.ID_PATTERN.matcher(text).matches()) {
            throw Values.notAllowed(n, PeerConfig.ID_RULE);
        }
        return text;
    }

    static HostPort hostPort(Node n) throws BadValue {
        String text = Values.text(n, ADDRESS_RULE);
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException ex) {
            throw Values.notAllowed(n, ex.getMessage(), ADDRESS_RULE);
        }
    }

    /** An address other peers dial: a wildcard cannot be dialled. */
    static HostPort peerAddress(Node n) throws BadValue {
        HostPort hp = hostPort(n);
        if (hp.isWildcard()) {
            throw Values.notAllowed(
                    n,
                    "other nodes cannot connect to a wildcard address",
                    "the address other nodes reach this node at, " + ADDRESS_RULE);
        }
        return hp;
    }

    /** A string setting in which {@code {id}} becomes the node id before {@code check} runs. */
    static Parser<String> templated(String id, String allowed, Function<String, String> check) {
        return n -> {
            String raw = Values.text(n, allowed);
            String value = id == null ? raw : raw.replace("{id}", id);
            String reason = check.apply(value);
            if (reason == null) {
                return value;
            }
            if (!value.equals(raw)) {
                throw new BadValue(Values.quote(raw) + " becomes " + Values.quote(value) + " for node " + id
                        + ", which is not allowed (" + reason + "); use " + allowed);
            }
            throw Values.notAllowed(n, reason, allowed);
        };
    }

    /** An absolute path, {@code {id}} replaced when {@code id} is not null. */
    static Parser<Path> path(String id) {
        Parser<String> text = templated(id, Checks.PATH_RULE, Checks::absolutePath);
        return n -> Path.of(text.parse(n));
    }

    static Inet4Address sourceV4(Node n) throws BadValue {
        String text = Values.text(n, Checks.SOURCE_V4_RULE);
        if (HostPort.Ip.ipv4(text) == null) {
            throw Values.notAllowed(
                    n,
                    HostPort.Ip.ipv6(text) != null
                            ? "it is an IPv6 address; put it in healthcheck-source-v6"
                            : "it is not an IPv4 address",
                    Checks.SOURCE_V4_RULE);
        }
        return (Inet4Address) unicastSource(n, text, Checks.SOURCE_V4_RULE);
    }

    static Inet6Address sourceV6(Node n) throws BadValue {
        String text = Values.text(n, Checks.SOURCE_V6_RULE);
        String canonical = HostPort.Ip.ipv6(text);
        if (canonical == null) {
            throw Values.notAllowed(
                    n,
                    HostPort.Ip.ipv4(text) != null
                            ? "it is an IPv4 address; put it in healthcheck-source-v4"
                            : "it is not an IPv6 address",
                    Checks.SOURCE_V6_RULE);
        }
        InetAddress address = unicastSource(n, canonical, Checks.SOURCE_V6_RULE);
        if (!(address instanceof Inet6Address)) {
            throw Values.notAllowed(
                    n,
                    "it is an IPv4-mapped address; put the IPv4 address in healthcheck-source-v4",
                    Checks.SOURCE_V6_RULE);
        }
        return (Inet6Address) address;
    }

    /** {@code literal} has been checked to be an IP literal, so this never looks a name up. */
    private static InetAddress unicastSource(Node n, String literal, String rule) throws BadValue {
        InetAddress address;
        try {
            address = InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw Values.notAllowed(n, "it is not an IP address", rule);
        }
        String reason = Checks.unicastSource(address);
        if (reason != null) {
            throw Values.notAllowed(n, reason, rule);
        }
        return address;
    }

    static MacAddress gatewayMac(Node n) throws BadValue {
        String text = Values.text(n, MAC_RULE);
        MacAddress mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw Values.notAllowed(n, e.getMessage(), MAC_RULE);
        }
        if (mac.isZero()) {
            throw Values.notAllowed(n, "it is all zeros", MAC_RULE);
        }
        if (mac.isMulticast()) {
            throw Values.notAllowed(n, "it is a multicast address", MAC_RULE);
        }
        return mac;
    }
}
