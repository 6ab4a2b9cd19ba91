package io.ringfleet.config.spec;

import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.IpAddress;
import java.util.Comparator;
import java.util.Locale;

/** A VIP as a spec names it: {@code tcp 10.0.0.1:80}, {@code udp [fc00::1]:443} (protocol, address, port). */
public record VipId(Protocol protocol, IpAddress address, int port) implements Comparable<VipId> {
    private static final Comparator<VipId> ORDER =
            Comparator.comparing(VipId::address).thenComparingInt(VipId::port).thenComparing(VipId::protocol);

    /**
     * Parses "PROTO ADDRESS:PORT" (IPv6 in brackets).
     *
     * @throws IllegalArgumentException with a message that says the allowed form
     */
    public static VipId parse(String text) {
        String[] words = text.strip().split("\\s+");
        if (words.length != 2) {
            throw new IllegalArgumentException("\"" + text + "\" is not a VIP: expected PROTO ADDRESS:PORT, e.g."
                    + " \"tcp 10.0.0.1:80\" or \"udp [fc00::1]:443\"");
        }
        Protocol protocol = switch (words[0].toLowerCase(Locale.ROOT)) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default -> throw new IllegalArgumentException("\"" + words[0] + "\" is not a protocol: allowed tcp or udp");
        };
        String endpoint = words[1];
        int colon = endpoint.lastIndexOf(':');
        String host = colon < 0 ? "" : endpoint.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException(
                    "\"" + endpoint + "\": an IPv6 VIP is written in brackets, e.g. [fc00::1]:443");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("\"" + endpoint + "\" is not ADDRESS:PORT, e.g. 10.0.0.1:80");
        }
        return new VipId(protocol, Specs.address(host), Specs.port(endpoint.substring(colon + 1)));
    }

    public static VipId fromProto(VipKey key) {
        return new VipId(key.getProtocol(), IpAddress.parse(key.getAddress()), key.getPort());
    }

    public VipKey toProto() {
        return VipKey.newBuilder()
                .setAddress(address.toString())
                .setPort(port)
                .setProtocol(protocol)
                .build();
    }

    @Override
    public int compareTo(VipId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        String host = address.isV6() ? "[" + address + "]" : address.toString();
        return protocol.name().toLowerCase(Locale.ROOT) + " " + host + ":" + port;
    }
}
