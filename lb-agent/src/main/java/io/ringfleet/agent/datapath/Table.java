package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.MapNames;

/** The maps the programmer keeps in step with the image, other than the ring map. */
enum Table {
    VIP_MAP(MapNames.VIP_MAP, false),
    VIP_ADDRS(MapNames.VIP_ADDRS, false),
    REALS(MapNames.REALS, true),
    CTL(MapNames.CTL_ARRAY, true),
    QUIC_IDS(MapNames.QUIC_IDS, false),
    DOWN_REALS(MapNames.DOWN_REALS, false),
    HC_REALS(MapNames.HC_REALS, false);

    /** The map holding every VIP's ring: key vip_num * ring size + slot, value real index. */
    static final String RINGS = MapNames.CH_RINGS;
    /** Second-chance builds: every VIP's previous ring, laid out as {@link #RINGS}. */
    static final String PREVIOUS_RINGS = MapNames.CH_RINGS_PREV;

    static final String VIP_STATS = MapNames.VIP_STATS;
    static final String REAL_STATS = MapNames.REAL_STATS;

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
