package io.ringfleet.agent.daemon;

import io.ringfleet.agent.datapath.BalancerDatapath;
import io.ringfleet.agent.datapath.DatapathConfig;
import io.ringfleet.bpf.BpfMap;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a node's kernel maps hold, as comparable text: every entry of the state maps (of arrays, the non-zero ones) ({@code map/key →
 * value}, hex) and, for ch_rings, the SHA-256 of every ring row that is not all zeroes. Counters and connection
 * tables (traffic, not state) are left out.
 */
final class MapDump {
    static final List<String> STATE_MAPS =
            List.of("vip_map", "vip_addrs", "reals", "quic_ids", "down_reals", "ctl_array", "hc_reals");

    private MapDump() {}

    static SortedMap<String, String> of(BalancerDatapath datapath) {
        HexFormat hex = HexFormat.of();
        TreeMap<String, String> out = new TreeMap<>();
        for (String name : STATE_MAPS) {
            if (!datapath.hasMap(name)) {
                continue;
            }
            BpfMap map = datapath.map(name);
            boolean array = map.type() == io.ringfleet.bpf.MapType.ARRAY;
            for (BpfMap.Entry e : map.entries()) {
                if (!array || !allZero(e.value())) {
                    out.put(name + "/" + hex.formatHex(e.key()), hex.formatHex(e.value()));
                }
            }
        }
        BpfMap rings = datapath.map("ch_rings");
        int ring = DatapathConfig.RING_SIZE;
        byte[] row = new byte[ring * 4];
        int rows = datapath.config().maxVips();
        List<BpfMap.Entry> all = rings.entries(ring);
        if (all.size() != rows * ring) {
            throw new AssertionError("ch_rings has " + all.size() + " entries, expected " + rows * ring);
        }
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < ring; s++) {
                BpfMap.Entry e = all.get(r * ring + s);
                if (BpfMap.u32(e.key()) != r * ring + s) {
                    throw new AssertionError("ch_rings entries out of order at " + (r * ring + s));
                }
                System.arraycopy(e.value(), 0, row, s * 4, 4);
            }
            if (!allZero(row)) {
                out.put("ch_rings/row" + r, hex.formatHex(sha256(row)));
            }
        }
        return out;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
