package io.ringfleet.state;

import io.ringfleet.api.PeerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A peer of the fleet as the fleet settings hold it: its node id and its control addresses ("host:port" text:
 * Raft, API and, when it serves one, metrics). The hosts that are IP literals are what the address policy keeps
 * VIPs off; a host name cannot be resolved by replay, so it is kept as text only.
 */
public record FleetPeer(String id, String raftAddress, String apiAddress, String metricsAddress) {
    /** A node id: 1..128 characters of [A-Za-z0-9._-] (as drain_node and the config's peers). */
    public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /**
     * @throws IllegalArgumentException naming the peer and the rule when the id or an address is malformed
     */
    public FleetPeer {
        if (id == null || !NODE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("peer id \"" + id + "\" is not 1..128 characters of [A-Za-z0-9._-]");
        }
        checkAddress(id, "raft address", raftAddress, false);
        checkAddress(id, "api address", apiAddress, false);
        checkAddress(id, "metrics address", metricsAddress, true);
    }

    public static FleetPeer fromProto(PeerSpec p) {
        return new FleetPeer(p.getId(), p.getRaftAddress(), p.getApiAddress(), p.getMetricsAddress());
    }

    public PeerSpec toProto() {
        return PeerSpec.newBuilder()
                .setId(id)
                .setRaftAddress(raftAddress)
                .setApiAddress(apiAddress)
                .setMetricsAddress(metricsAddress)
                .build();
    }

    /** The IP literals among the peer's control addresses (host names left out), in field order. */
    public List<IpAddress> controlIps() {
        List<IpAddress> ips = new ArrayList<>(3);
        for (String a : List.of(raftAddress, apiAddress, metricsAddress)) {
            hostIp(a).ifPresent(ips::add);
        }
        return ips;
    }

    /** The host of "host:port" or "[v6]:port" as an IP address, if it is an IP literal. */
    static Optional<IpAddress> hostIp(String hostPort) {
        if (hostPort.isEmpty()) {
            return Optional.empty();
        }
        String host = host(hostPort);
        try {
            return Optional.of(IpAddress.parse(host));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a host name
        }
    }

    private static String host(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static void checkAddress(String id, String what, String text, boolean optional) {
        if (text == null || (text.isEmpty() && optional)) {
            if (text == null) {
                throw new IllegalArgumentException("peer " + id + " " + what + " is missing");
            }
            return;
        }
        int colon = text.lastIndexOf(':');
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (colon <= 0 || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("peer " + id + " " + what + " \"" + text
                    + "\" is not host:port with a port from 1 to 65535 (IPv6 as [addr]:port)");
        }
        String host = text.substring(0, colon);
        if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
            throw new IllegalArgumentException("peer " + id + " " + what + " \"" + text
                    + "\" has an IPv6 host without brackets: write [addr]:port");
        }
    }
}
