package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.abi.DownRealKey;
import io.ringfleet.bpf.abi.HcReal;
import io.ringfleet.bpf.abi.Real;
import io.ringfleet.bpf.abi.VipKey;
import io.ringfleet.bpf.abi.VipMeta;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.maglev.MaglevRing;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** {@link DesiredMaps} as the kernel's bytes: per map, key bytes to value bytes (rf_abi.h layouts). */
final class EncodedMaps {
    static final byte[] DOWN_MARK = {1};

    private final EnumMap<Table, SortedMap<ByteKey, byte[]>> tables;
    private final SortedMap<Integer, MaglevRing> rings;
    private final Map<Integer, ByteKey> vipNumOwners;

    private EncodedMaps(EnumMap<Table, SortedMap<ByteKey, byte[]>> tables, SortedMap<Integer, MaglevRing> rings,
                        Map<Integer, ByteKey> vipNumOwners) {
        this.tables = tables;
        this.rings = rings;
        this.vipNumOwners = vipNumOwners;
    }

    static EncodedMaps of(DesiredMaps d) {
        EnumMap<Table, SortedMap<ByteKey, byte[]>> t = new EnumMap<>(Table.class);
        for (Table table : Table.values()) {
            t.put(table, new TreeMap<>());
        }
        TreeMap<Integer, ByteKey> owners = new TreeMap<>();
        d.vips().forEach((key, v) -> {
            ByteKey k = ByteKey.of(new VipKey(inet(key.address()), key.port(), key.protocol().number()).encode());
            t.get(Table.VIP_MAP).put(k, new VipMeta(v.flags(), v.vipNum()).encode());
            owners.put(v.vipNum(), k);
        });
        d.vipAddresses().forEach((address, count) ->
                t.get(Table.VIP_ADDRS).put(ByteKey.of(new VipKey(inet(address), 0, 0).encode()), BpfMap.u32(count)));
        d.reals().forEach((index, address) ->
                t.get(Table.REALS).put(ByteKey.u32(index), new Real(inet(address)).encode()));
        d.gatewayMac().ifPresent(mac ->
                t.get(Table.CTL).put(ByteKey.u32(Ctl.GATEWAY_MAC), new Ctl(mac.bytes()).encode()));
        d.quicIds().forEach((id, index) ->
                t.get(Table.QUIC_IDS).put(ByteKey.u32((int) (long) id), BpfMap.u32(index)));
        for (DesiredMaps.DownReal dr : d.downReals()) {
            t.get(Table.DOWN_REALS).put(ByteKey.of(new DownRealKey(dr.vipNum(), dr.realIndex()).encode()), DOWN_MARK);
        }
        d.healthChecks().forEach((mark, address) ->
                t.get(Table.HC_REALS).put(ByteKey.u32((int) (long) mark), new HcReal(inet(address)).encode()));
        return new EncodedMaps(t, d.rings(), Collections.unmodifiableMap(owners));
    }

    /** Desired entries of one map; arrays list only non-zero entries. */
    SortedMap<ByteKey, byte[]> table(Table table) {
        return tables.get(table);
    }

    SortedMap<Integer, MaglevRing> rings() {
        return rings;
    }

    /** Which vip_map key the image gives each vip_num. */
    Map<Integer, ByteKey> vipNumOwners() {
        return vipNumOwners;
    }

    static InetAddress inet(IpAddress address) {
        try {
            return InetAddress.getByAddress(address.bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IpAddress is 4 or 16 bytes", e);
        }
    }
}
