package io.ringfleet.state;

import java.util.ArrayList;
import java.util.List;

/** Katran's VIP flag bits (identical values, so Katran tooling and provision data map one to one). */
public final class VipFlags {
    public static final int HASH_NO_SRC_PORT = 1;
    public static final int LRU_BYPASS = 1 << 1;
    public static final int QUIC_VIP = 1 << 2;
    public static final int HASH_DPORT_ONLY = 1 << 3;
    public static final int SRC_ROUTING = 1 << 4;
    public static final int LOCAL_VIP = 1 << 5;
    public static final int GLOBAL_LRU = 1 << 6;
    public static final int HASH_SRC_DST_PORT = 1 << 7;
    public static final int UDP_STABLE_ROUTING = 1 << 8;
    public static final int UDP_FLOW_MIGRATION = 1 << 9;

    /** Every known bit: 0x3ff. */
    public static final int KNOWN = (1 << 10) - 1;
    /** Bits that only make sense on a UDP VIP. */
    public static final int UDP_ONLY = QUIC_VIP | UDP_STABLE_ROUTING | UDP_FLOW_MIGRATION;

    private static final String[] NAMES = {
        "hash_no_src_port", "lru_bypass", "quic_vip", "hash_dport_only", "src_routing",
        "local_vip", "global_lru", "hash_src_dst_port", "udp_stable_routing", "udp_flow_migration",
    };

    /** "hash_no_src_port 0x1, lru_bypass 0x2, ..." — every known bit with its value. */
    public static final String ALLOWED;

    static {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < NAMES.length; bit++) {
            if (bit > 0) {
                sb.append(", ");
            }
            sb.append(NAMES[bit]).append(" 0x").append(Integer.toHexString(1 << bit));
        }
        ALLOWED = sb.toString();
    }

    private VipFlags() {}

    /** Names of the known bits set in {@code flags}, in bit order. */
    public static List<String> names(int flags) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < NAMES.length; bit++) {
            if ((flags & (1 << bit)) != 0) {
                out.add(NAMES[bit]);
            }
        }
        return out;
    }

    /** {@code "0x4"}. */
    public static String hex(int flags) {
        return "0x" + Integer.toHexString(flags);
    }
}
