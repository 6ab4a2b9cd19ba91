package io.ringfleet.agent.explain;

import io.ringfleet.api.ExplainFlowRequest;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One flow as a packet of it reaches the balancer: protocol, client source, the VIP's address and port, whether it
 * is a TCP SYN, and the server id (QUIC or UDP stable routing) it carries, if any.
 */
public record FlowQuery(
        Protocol protocol,
        IpAddress source,
        int sourcePort,
        IpAddress vipAddress,
        int vipPort,
        boolean syn,
        OptionalLong serverId) {
    /** Server ids are 32-bit in the kernel's map (quic_ids); 0 means none. */
    static final long MAX_SERVER_ID = 0xFFFF_FFFFL;

    public FlowQuery {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(vipAddress, "vipAddress");
        Objects.requireNonNull(serverId, "serverId");
        checkPort(sourcePort, "source");
        checkPort(vipPort, "vip");
        if (source.isV6() != vipAddress.isV6()) {
            throw new IllegalArgumentException("source " + source + " and vip " + vipAddress
                    + " are of different families: allowed both IPv4 or both IPv6 (a packet has one family)");
        }
        if (syn && protocol != Protocol.TCP) {
            throw new IllegalArgumentException("syn applies to TCP only, the flow is " + protocol);
        }
        if (serverId.isPresent() && (serverId.getAsLong() < 1 || serverId.getAsLong() > MAX_SERVER_ID)) {
            throw new IllegalArgumentException("server id " + Long.toUnsignedString(serverId.getAsLong())
                    + " is out of range: allowed 1.." + MAX_SERVER_ID);
        }
    }

    /**
     * The query of an ExplainFlow request.
     *
     * @throws IllegalArgumentException with one line that says what is allowed
     */
    public static FlowQuery of(ExplainFlowRequest request) {
        return new FlowQuery(
                protocol(request.getProtocolValue()),
                address(request.getSourceAddress(), "source"),
                port(request.getSourcePort(), "source"),
                address(request.getVipAddress(), "vip"),
                port(request.getVipPort(), "vip"),
                request.getSyn(),
                request.hasServerId() ? OptionalLong.of(request.getServerId()) : OptionalLong.empty());
    }

    /** The request asking this query of one node. */
    public ExplainFlowRequest toRequest() {
        ExplainFlowRequest.Builder b = ExplainFlowRequest.newBuilder()
                .setProtocol(protocol.toProto())
                .setSourceAddress(source.toString())
                .setSourcePort(sourcePort)
                .setVipAddress(vipAddress.toString())
                .setVipPort(vipPort)
                .setSyn(syn);
        serverId.ifPresent(b::setServerId);
        return b.build();
    }

    private static Protocol protocol(int number) {
        if (number == Protocol.TCP.number()) {
            return Protocol.TCP;
        }
        if (number == Protocol.UDP.number()) {
            return Protocol.UDP;
        }
        throw new IllegalArgumentException(
                (number == 0 ? "protocol is missing" : "protocol " + number + " is not supported")
                        + ": allowed TCP (6) or UDP (17)");
    }

    private static IpAddress address(String text, String what) {
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
            throw new IllegalArgumentException(what + " address \"" + shown + "\" is not a valid IP address ("
                    + e.getMessage() + "): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1");
        }
    }

    private static int port(int value, String what) {
        checkPort(value, what);
        return value;
    }

    private static void checkPort(int value, String what) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(
                    what + " port " + Integer.toUnsignedString(value) + " is out of range: allowed 0..65535");
        }
    }

    @Override
    public String toString() {
        return protocol + " " + hostPort(source, sourcePort) + " -> " + hostPort(vipAddress, vipPort)
                + (syn ? " SYN" : "")
                + (serverId.isPresent() ? " server id " + serverId.getAsLong() : "");
    }

    static String hostPort(IpAddress address, int port) {
        return (address.isV6() ? "[" + address + "]" : address.toString()) + ":" + port;
    }
}
