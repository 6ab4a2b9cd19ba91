package io.ringfleet.agent.explain;

import com.google.protobuf.ByteString;
import io.ringfleet.api.FlowDecision;
import io.ringfleet.api.FlowExplanation;
import io.ringfleet.api.VipMatch;
import io.ringfleet.bpf.FlowHash;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.QuicMapping;
import io.ringfleet.state.Real;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Which real a node's balancer picks for one flow, and why: the decision of {@code rf_balance}
 * (bpf/src/main/c/bpf/rf_balancer.h) for the builds the agent loads ({@code balancer}, {@code balancer_toobig}),
 * replayed step by step over the node's programmed state. Pure: the kernel's connection table and the clock come in
 * as arguments.
 *
 * <p>The program's order: the VIP (exact, else the address's port-0 VIP); the server id (QUIC, then UDP stable
 * routing) when it names a real; the VIP's flags rewrite the flow key (HASH_NO_SRC_PORT, HASH_DPORT_ONLY); the
 * connection table (not for SYNs, LRU_BYPASS or HASH_DPORT_ONLY; an idle UDP entry has expired; UDP_FLOW_MIGRATION
 * skips a down real); else the flow hash's slot in the VIP's ring. The ring slot is reported whatever decided, so
 * nodes can be compared on it.
 */
public final class FlowExplainer {
    /** RF_UDP_TIMEOUT_NS: a UDP entry idle this long is a miss. */
    static final long UDP_TIMEOUT_NS = 30_000_000_000L;

    private FlowExplainer() {}

    /**
     * @param nowNs the kernel's monotonic clock now (entries' UDP times are on it)
     * @return the explanation, without the node id
     */
    public static FlowExplanation.Builder explain(FlowQuery flow, ProgrammedState state, ConnTable table, long nowNs) {
        FlowExplanation.Builder out = FlowExplanation.newBuilder()
                .setAnswered(true)
                .setProgrammedIndex(state.index())
                .setStateIndex(state.image().stateIndex())
                .setRingsDigest(ByteString.copyFrom(state.rings().digest()));
        VipImage vip = findVip(flow, state, out);
        if (vip == null) {
            return out.setDecision(FlowDecision.FLOW_DECISION_NO_VIP);
        }
        Key key = new Key(
                flow.source(),
                flow.sourcePort(),
                out.getVipMatch() == VipMatch.VIP_MATCH_PORT_ZERO && !vip.hasFlag(DPORT_KEPT) ? 0 : flow.vipPort());
        Optional<Real> bySid = serverIdReal(flow, vip, state, out);
        key = rewrite(key, vip, out);
        RingPick ring = ringPick(key, vip, state.rings(), out);
        if (bySid.isPresent()) {
            return picked(out, FlowDecision.FLOW_DECISION_SERVER_ID, bySid.get(), vip, state);
        }
        Optional<Real> byTable = tableReal(flow, key, vip, state, table, nowNs, out);
        if (byTable.isPresent()) {
            return picked(out, FlowDecision.FLOW_DECISION_CONN_TABLE, byTable.get(), vip, state);
        }
        Optional<Real> byRing =
                ring.realIndex() == 0 ? Optional.empty() : state.image().reals().get(ring.realIndex());
        if (byRing.isEmpty()) {
            out.addSteps("ring: slot " + ring.slot() + " names no real: the program drops the packet");
            return out.setDecision(FlowDecision.FLOW_DECISION_DROP);
        }
        out.addSteps("ring: slot " + ring.slot() + " → real " + describe(byRing.get()));
        return picked(out, FlowDecision.FLOW_DECISION_RING, byRing.get(), vip, state);
    }

    /** The flags that keep a port-0 VIP's destination port in the flow (else the program hashes port 0). */
    private static final int DPORT_KEPT = VipFlags.HASH_DPORT_ONLY | VipFlags.HASH_SRC_DST_PORT;

    /** The flow key as the program hashes and remembers it. */
    private record Key(IpAddress source, int sourcePort, int destinationPort) {}

    private record RingPick(int slot, int realIndex) {}

    private static VipImage findVip(FlowQuery flow, ProgrammedState state, FlowExplanation.Builder out) {
        VipKey exact = new VipKey(flow.vipAddress(), flow.vipPort(), flow.protocol());
        Optional<VipImage> vip = state.image().vips().get(exact);
        VipMatch match = VipMatch.VIP_MATCH_EXACT;
        if (vip.isEmpty()) {
            vip = state.image().vips().get(new VipKey(flow.vipAddress(), 0, flow.protocol()));
            match = VipMatch.VIP_MATCH_PORT_ZERO;
        }
        if (vip.isEmpty()) {
            out.setVipMatch(VipMatch.VIP_MATCH_NONE)
                    .addSteps("vip: none for " + exact + " nor its port 0: the program passes the packet");
            return null;
        }
        VipImage v = vip.get();
        out.setVipMatch(match)
                .setVip(io.ringfleet.api.VipKey.newBuilder()
                        .setAddress(v.key().address().toString())
                        .setPort(v.key().port())
                        .setProtocol(v.key().protocol().toProto()))
                .setVipNum(v.vipNum())
                .addAllVipFlags(VipFlags.names(v.flags()))
                .addSteps("vip: " + v.key() + " (vip_num " + v.vipNum() + ", flags "
                        + (v.flags() == 0 ? "none" : String.join(",", VipFlags.names(v.flags()))) + "), "
                        + (match == VipMatch.VIP_MATCH_EXACT ? "exact match" : "the address's port-0 VIP"));
        return v;
    }

    /** QUIC, then UDP stable routing: the real the packet's server id names, if any (never for TCP). */
    private static Optional<Real> serverIdReal(
            FlowQuery flow, VipImage vip, ProgrammedState state, FlowExplanation.Builder out) {
        boolean routes = flow.protocol() == Protocol.UDP
                && (vip.hasFlag(VipFlags.QUIC_VIP) || vip.hasFlag(VipFlags.UDP_STABLE_ROUTING));
        if (!routes || flow.serverId().isEmpty()) {
            return Optional.empty();
        }
        long id = flow.serverId().getAsLong();
        Optional<Real> real = state.image()
                .quicIds()
                .get(id)
                .map(QuicMapping::realIndex)
                .flatMap(index -> state.image().reals().get(index));
        out.addSteps("server id " + id + ": "
                + real.map(r -> "names real " + describe(r)).orElse("names no real, the flow is hashed as usual"));
        return real;
    }

    private static Key rewrite(Key key, VipImage vip, FlowExplanation.Builder out) {
        Key k = key;
        if (vip.hasFlag(VipFlags.HASH_NO_SRC_PORT)) {
            k = new Key(k.source(), 0, k.destinationPort());
        }
        if (vip.hasFlag(VipFlags.HASH_DPORT_ONLY)) {
            IpAddress zero = IpAddress.fromBytes(new byte[k.source().length()]);
            k = new Key(zero, k.destinationPort(), k.destinationPort());
        }
        if (!k.equals(key)) {
            out.addSteps("flow key rewritten by the VIP's flags: source "
                    + FlowQuery.hostPort(k.source(), k.sourcePort()) + ", destination port " + k.destinationPort());
        }
        return k;
    }

    private static RingPick ringPick(Key key, VipImage vip, FleetRings rings, FlowExplanation.Builder out) {
        int hash = FlowHash.hash(key.source().bytes(), key.sourcePort(), key.destinationPort());
        int slot = FlowHash.slot(hash, rings.ringSize());
        Optional<FleetRings.VipRing> ring = rings.ring(vip.vipNum());
        int realIndex = ring.map(r -> r.ring().realAt(slot)).orElse(0);
        out.setFlowHash(hash).setRingSlot(slot).setRingRealIndex(realIndex);
        ring.ifPresent(r -> out.setRingDigest(ByteString.copyFrom(r.ringDigest())));
        return new RingPick(slot, realIndex);
    }

    private static Optional<Real> tableReal(
            FlowQuery flow,
            Key key,
            VipImage vip,
            ProgrammedState state,
            ConnTable table,
            long nowNs,
            FlowExplanation.Builder out) {
        String skip = flow.syn()
                ? "not read for a SYN (a new connection)"
                : vip.hasFlag(VipFlags.LRU_BYPASS)
                        ? "not used (lru_bypass)"
                        : vip.hasFlag(VipFlags.HASH_DPORT_ONLY) ? "not used (hash_dport_only)" : null;
        if (skip != null) {
            out.addSteps("connection table: " + skip);
            return Optional.empty();
        }
        Optional<ConnTable.Entry> entry = table.lookup(flowKey(flow, key));
        if (entry.isEmpty()) {
            out.addSteps("connection table: no entry for the flow on any CPU");
            return Optional.empty();
        }
        ConnTable.Entry e = entry.get();
        String where = e.cpu() == ConnTable.FALLBACK ? "the fallback table" : "CPU " + e.cpu() + "'s table";
        if (flow.protocol() == Protocol.UDP && nowNs - e.atimeNs() > UDP_TIMEOUT_NS) {
            out.addSteps("connection table: " + where + " has an expired UDP entry (idle > 30 s): a miss");
            return Optional.empty();
        }
        if (flow.protocol() == Protocol.UDP && vip.hasFlag(VipFlags.UDP_FLOW_MIGRATION) && vip.isDown(e.realIndex())) {
            out.addSteps("connection table: " + where + " names real " + e.realIndex()
                    + ", marked down: udp_flow_migration hashes the flow again");
            return Optional.empty();
        }
        Optional<Real> real = state.image().reals().get(e.realIndex());
        out.addSteps("connection table: " + where + " → "
                + real.map(r -> "real " + describe(r)).orElse("real index " + e.realIndex() + ", not a real: a miss"));
        real.ifPresent(r -> out.setConnTableCpu(e.cpu()));
        return real;
    }

    /** struct rf_flow_key of the flow as the program looks it up. */
    private static FlowKey flowKey(FlowQuery flow, Key key) {
        return new FlowKey(
                inet(key.source()),
                inet(flow.vipAddress()),
                key.sourcePort(),
                key.destinationPort(),
                flow.protocol().number());
    }

    private static InetAddress inet(IpAddress address) {
        try {
            return InetAddress.getByAddress(address.bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IpAddress has 4 or 16 bytes", e);
        }
    }

    private static FlowExplanation.Builder picked(
            FlowExplanation.Builder out, FlowDecision decision, Real real, VipImage vip, ProgrammedState state) {
        boolean marked = vip.isDown(real.index());
        boolean health = state.image().health().ringExcluded(vip.vipNum()).contains(real.index());
        out.addSteps("real " + describe(real) + ": "
                + (marked || health
                        ? (marked ? "marked down (down_reals)" : "")
                                + (marked && health ? ", " : "")
                                + (health ? "down by the fleet's health verdict (out of the ring)" : "")
                        : "not marked down, health up or unchecked"));
        return out.setDecision(decision)
                .setReal(real.address().toString())
                .setRealIndex(real.index())
                .setRealMarkedDown(marked)
                .setRealHealthDown(health);
    }

    private static String describe(Real real) {
        return real.address() + " (index " + real.index() + ")";
    }
}
