package io.ringfleet.agent.datapath;

/** The maps the programmer keeps in step with the image, other than the ring map. */
enum Table {
    VIP_MAP("vip_map", false),
    VIP_ADDRS("vip_addrs", false),
    REALS("reals", true),
    CTL("ctl_array", true),
    QUIC_IDS("quic_ids", false),
    DOWN_REALS("down_reals", false),
    HC_REALS("hc_reals", false);

    /** The map holding every VIP's ring: key vip_num * ring size + slot, value real index. */
    static final String RINGS = "ch_rings";
    static final String VIP_STATS = "vip_stats";
    static final String REAL_STATS = "real_stats";

    private final String mapName;
    private final boolean array;

    Table(String mapName, boolean array) {
        this.mapName = mapName;
        this.array = array;
    }

    String mapName() {
        return mapName;
    }

    /** An ARRAY: every key exists; an all-zero value is what "absent" means. */
    boolean isArray() {
        return array;
    }
}
