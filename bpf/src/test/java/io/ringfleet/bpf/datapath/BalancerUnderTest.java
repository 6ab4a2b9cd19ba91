package io.ringfleet.bpf.datapath;

import io.ringfleet.bpf.AbiLayout;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.UpdateFlag;
import io.ringfleet.bpf.abi.CidrVipKey;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.abi.DownRealKey;
import io.ringfleet.bpf.abi.EncapSrc;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.abi.Real;
import io.ringfleet.bpf.abi.SrcRouteKey;
import io.ringfleet.bpf.abi.VipKey;
import io.ringfleet.bpf.abi.VipMeta;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded balancer object and the map writes a test needs: the same contract a control plane
 * follows (bpf/README.md, "Balancer"), without any logic of its own. ch_rings is sized for
 * {@link #TEST_VIPS} VIPs unless the caller says otherwise.
 */
final class BalancerUnderTest implements AutoCloseable {
    static final int RING_SIZE = (int) AbiLayout.constant("RF_RING_SIZE");
    static final int TEST_VIPS = 16;
    static final String PROGRAM = "balancer_ingress";

    static final int F_HASH_NO_SRC_PORT = 1;
    static final int F_LRU_BYPASS = 1 << 1;
    static final int F_QUIC = 1 << 2;
    static final int F_HASH_DPORT_ONLY = 1 << 3;
    static final int F_SRC_ROUTING = 1 << 4;
    static final int F_LOCAL = 1 << 5;
    static final int F_GLOBAL_LRU = 1 << 6;
    static final int F_HASH_SRC_DST_PORT = 1 << 7;
    static final int F_UDP_STABLE_ROUTING = 1 << 8;
    static final int F_UDP_FLOW_MIGRATION = 1 << 9;

    static final int DECAP_F_EGRESS = (int) AbiLayout.constant("RF_DECAP_F_EGRESS");
    static final int DECAP_PROG_RECIRC = (int) AbiLayout.constant("RF_DECAP_PROG_RECIRC");

    private final BpfObject object;
    private final BpfProgram program;
    private final Map<String, BpfMap> maps = new HashMap<>();
    private final Map<VipKey, Integer> vipsPerAddress = new HashMap<>();
    private final Set<VipKey> vips = new HashSet<>();

    private BalancerUnderTest(BpfObject object) {
        this.object = object;
        this.program = object.program(PROGRAM);
    }

    /**
     * Loads a shipped variant ("balancer", "balancer_toobig", "balancer_gue", "balancer_tpr",
     * "balancer_tpr_gue", "balancer_gue_decap", "balancer_gue_cidr", "balancer_gue_lpm_src", "balancer_sc",
     * "balancer_gue_sc"; second-chance builds get ch_rings_prev sized like ch_rings).
     */
    static BalancerUnderTest load(String variant) {
        return load(variant, Map.of());
    }

    /** Loads a shipped variant with some maps resized (ch_rings defaults to TEST_VIPS rings). */
    static BalancerUnderTest load(String variant, Map<String, Integer> maxEntries) {
        Map<String, Integer> sizes = new HashMap<>();
        sizes.put("ch_rings", TEST_VIPS * RING_SIZE);
        if (variant.endsWith("_sc")) {
            sizes.put("ch_rings_prev", TEST_VIPS * RING_SIZE);
        }
        sizes.putAll(maxEntries);
        BpfObject obj = BpfObject.open(Bpf.shippedObject(variant), sizes);
        try {
            obj.load();
            return new BalancerUnderTest(obj);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    BpfMap map(String name) {
        return maps.computeIfAbsent(name, object::map);
    }

    /** One BPF_PROG_TEST_RUN of a frame. */
    TestRun.Result run(byte[] frame) {
        return program.testRun(TestRun.of(frame).dataOutCapacity(frame.length + 512));
    }

    // ---- provisioning ----

    void gatewayMac(byte[] mac) {
        map("ctl_array").update(BpfMap.u32(Ctl.GATEWAY_MAC), new Ctl(mac).encode());
    }

    /**
     * A VIP, and its address in vip_addrs (the count of VIPs on that address). An existing VIP is
     * rewritten (new flags or vip_num) without counting it again.
     */
    void addVip(InetAddress address, int port, int protocol, int flags, int vipNum) {
        VipKey key = new VipKey(address, port, protocol);
        map("vip_map").update(key.encode(), new VipMeta(flags, vipNum).encode());
        if (!vips.add(key)) {
            return;
        }
        VipKey addressKey = new VipKey(address, 0, 0);
        int count = vipsPerAddress.merge(addressKey, 1, Integer::sum);
        map("vip_addrs").update(addressKey.encode(), BpfMap.u32(count));
    }

    /** Prefix-VIP builds: the VIP {@code prefix/prefixLength} (port 0: any port) in cidr_vips. */
    void addCidrVip(InetAddress prefix, int prefixLength, int port, int protocol, int flags, int vipNum) {
        map("cidr_vips")
                .update(
                        new CidrVipKey(prefix, prefixLength, port, protocol).encode(),
                        new VipMeta(flags, vipNum).encode());
    }

    /** Source-routing builds: clients in {@code prefix/prefixLength} go to {@code realIndex} (src_routes). */
    void srcRoute(InetAddress prefix, int prefixLength, int realIndex) {
        map("src_routes").update(new SrcRouteKey(prefix, prefixLength).encode(), BpfMap.u32(realIndex));
    }

    /** GUE builds: the outer source address of GUE packets towards reals of its family. */
    void encapSource(InetAddress address) {
        EncapSrc src = new EncapSrc(address);
        map("encap_srcs").update(BpfMap.u32(src.index()), src.encode());
    }

    /**
     * Inline-decap builds: GUE packets to {@code address} are decapsulated ({@code flags}: RF_DECAP_F_*, e.g.
     * {@link #DECAP_F_EGRESS}; 0 = balance the inner packet again).
     */
    void decapDestination(InetAddress address, int flags) {
        byte[] key = new byte[16];
        byte[] raw = address.getAddress();
        System.arraycopy(raw, 0, key, 0, raw.length);
        map("decap_dsts").update(key, BpfMap.u32(flags));
    }

    /** Inline-decap builds: the balancer itself in decap_progs' recirculation slot. */
    void recirculateToSelf() {
        map("decap_progs").setProgram(DECAP_PROG_RECIRC, program);
    }

    void addReal(int index, InetAddress address) {
        map("reals").update(BpfMap.u32(index), new Real(address).encode());
    }

    /** Zeroes a reals entry (how a control plane removes a real). */
    void clearReal(int index) {
        map("reals").update(BpfMap.u32(index), new byte[Real.SIZE]);
    }

    /** Writes a whole ring: slot i of vipNum's ring -> slots[i]. */
    void setRing(int vipNum, int[] slots) {
        writeRing("ch_rings", vipNum, slots);
    }

    /** Second-chance builds: vipNum's previous ring (ch_rings_prev), every slot -> reals[i % reals.length]. */
    void fillPrevRing(int vipNum, int... reals) {
        writeRing("ch_rings_prev", vipNum, cycle(reals));
    }

    /** Second-chance builds: every VIP's previous ring becomes its current one (a history with no change). */
    void copyRingsToPrev() {
        for (int vip = 0; vip < TEST_VIPS; vip++) {
            writeRing("ch_rings_prev", vip, map("ch_rings").lookupRangeU32(vip * RING_SIZE, RING_SIZE));
        }
    }

    private void writeRing(String map, int vipNum, int[] slots) {
        if (slots.length != RING_SIZE) {
            throw new IllegalArgumentException("a ring has " + RING_SIZE + " slots, got " + slots.length);
        }
        List<byte[]> keys = new ArrayList<>(RING_SIZE);
        List<byte[]> values = new ArrayList<>(RING_SIZE);
        for (int slot = 0; slot < RING_SIZE; slot++) {
            keys.add(BpfMap.u32(vipNum * RING_SIZE + slot));
            values.add(BpfMap.u32(slots[slot]));
        }
        map(map).updateBatch(keys, values, UpdateFlag.ANY);
    }

    /** A ring where slot i holds reals[i % reals.length] (one real: every slot). */
    void fillRing(int vipNum, int... reals) {
        setRing(vipNum, cycle(reals));
    }

    private static int[] cycle(int... reals) {
        int[] slots = new int[RING_SIZE];
        for (int i = 0; i < RING_SIZE; i++) {
            slots[i] = reals[i % reals.length];
        }
        return slots;
    }

    void quicId(int serverId, int realIndex) {
        map("quic_ids").update(BpfMap.u32(serverId), BpfMap.u32(realIndex));
    }

    void markDown(int vipNum, int realIndex) {
        map("down_reals").update(new DownRealKey(vipNum, realIndex).encode(), new byte[] {1});
    }

    // ---- connection table ----

    Optional<Conn> conn(FlowKey key) {
        return map("conn_fallback").lookup(key.encode()).map(Conn::decode);
    }

    void putConn(FlowKey key, Conn conn) {
        map("conn_fallback").update(key.encode(), conn.encode(), UpdateFlag.EXIST);
    }

    int connCount() {
        return map("conn_fallback").keys().size();
    }

    /** Sets every CPU's rate-limiter window (struct rf_conn_rate: window start, new connections). */
    void connRate(long windowStartNs, long newConns) {
        byte[] value = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(windowStartNs)
                .putLong(newConns)
                .array();
        map("conn_rate").updateAllCpus(BpfMap.u32(0), value);
    }

    // ---- counters (summed over CPUs) ----

    Counter global(GlobalCounter which) {
        return perCpuSum("global_stats", which.index());
    }

    Counter vipStats(int vipNum) {
        return perCpuSum("vip_stats", vipNum);
    }

    Counter realStats(int realIndex) {
        return perCpuSum("real_stats", realIndex);
    }

    private Counter perCpuSum(String map, int index) {
        return Counter.sum(map(map).lookupPerCpu(BpfMap.u32(index)).orElseThrow());
    }

    @Override
    public void close() {
        maps.values().forEach(BpfMap::close);
        program.close();
        object.close();
    }
}
