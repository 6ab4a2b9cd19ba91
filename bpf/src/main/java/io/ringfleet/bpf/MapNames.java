package io.ringfleet.bpf;

import java.util.List;

/**
 * The names of the maps of the shipped BPF objects, the one Java copy of them. They are defined by the C
 * variable names in {@code src/main/c/bpf/rf_maps.h} (balancer), {@code hc_maps.h} (health-check forwarder), {@code backend_maps.h}
 * (ringfleet-backend) and
 * {@code xdp_root.h}; {@code MapNamesTest} checks every object against these lists, so a rename in C fails the
 * build instead of a lookup at run time. Pins are named after them too: renaming a map orphans its pin.
 */
public final class MapNames {
    private MapNames() {}

    // The balancer (rf_maps.h).
    public static final String VIP_MAP = "vip_map";
    public static final String VIP_ADDRS = "vip_addrs";
    public static final String REALS = "reals";
    public static final String CH_RINGS = "ch_rings";
    public static final String CONN_FALLBACK = "conn_fallback";
    public static final String CONN_LRU_MAPS = "conn_lru_maps";
    public static final String VIP_STATS = "vip_stats";
    public static final String REAL_STATS = "real_stats";
    public static final String GLOBAL_STATS = "global_stats";
    public static final String CTL_ARRAY = "ctl_array";
    public static final String QUIC_IDS = "quic_ids";
    public static final String DOWN_REALS = "down_reals";
    public static final String CONN_RATE = "conn_rate";
    /** GUE builds only. */
    public static final String ENCAP_SRCS = "encap_srcs";
    /** Prefix-VIP builds only. */
    public static final String CIDR_VIPS = "cidr_vips";
    /** Source-routing builds only. */
    public static final String SRC_ROUTES = "src_routes";
    /** Inline-decap builds only. */
    public static final String DECAP_DSTS = "decap_dsts";
    /** Inline-decap builds only. */
    public static final String DECAP_PROGS = "decap_progs";
    /** Second-chance builds only: the previous ring of every VIP, laid out as {@link #CH_RINGS}. */
    public static final String CH_RINGS_PREV = "ch_rings_prev";

    // The health-check forwarder (hc_maps.h).
    public static final String HC_REALS = "hc_reals";
    public static final String HC_CTL = "hc_ctl";
    public static final String HC_STATS = "hc_stats";

    // ringfleet-backend (backend_maps.h).
    public static final String BACKEND_CTL = "backend_ctl";
    public static final String BACKEND_STATS = "backend_stats";

    // The XDP pre-filter (filter_maps.h).
    public static final String FILTER_SRC_V4 = "filter_src_v4";
    public static final String FILTER_SRC_V6 = "filter_src_v6";
    public static final String FILTER_DST_V4 = "filter_dst_v4";
    public static final String FILTER_DST_V6 = "filter_dst_v6";
    public static final String FILTER_CHAINS = "filter_chains";
    public static final String FILTER_RULES = "filter_rules";
    public static final String FILTER_DNS = "filter_dns";
    public static final String FILTER_DNS_DEPTHS = "filter_dns_depths";
    public static final String FILTER_STATS = "filter_stats";
    public static final String FILTER_BUCKETS = "filter_buckets";
    public static final String FILTER_CTL = "filter_ctl";
    public static final String FILTER_SCRATCH = "filter_scratch";
    public static final String FILTER_GLOBAL = "filter_global";
    // xdp_root (xdp_root.h).
    public static final String ROOT_ARRAY = "root_array";

    /** Every map of every balancer object, in rf_maps.h's order (GUE and inline-decap builds add the lists below). */
    public static final List<String> BALANCER = List.of(
            VIP_MAP,
            VIP_ADDRS,
            REALS,
            CH_RINGS,
            CONN_FALLBACK,
            CONN_LRU_MAPS,
            VIP_STATS,
            REAL_STATS,
            GLOBAL_STATS,
            CTL_ARRAY,
            QUIC_IDS,
            DOWN_REALS,
            CONN_RATE);

    /** Maps GUE builds ({@code balancer_gue*}, {@code balancer_tpr_gue}) have besides {@link #BALANCER}. */
    public static final List<String> BALANCER_GUE_EXTRA = List.of(ENCAP_SRCS);

    /** Maps inline-decap builds ({@code balancer_gue_decap}) have besides the GUE ones. */
    public static final List<String> BALANCER_DECAP_EXTRA = List.of(DECAP_DSTS, DECAP_PROGS);

    /** Maps prefix-VIP builds ({@code balancer_gue_cidr}) have besides the GUE ones. */
    public static final List<String> BALANCER_CIDR_EXTRA = List.of(CIDR_VIPS);

    /** Maps source-routing builds ({@code balancer_gue_lpm_src}) have besides the GUE ones. */
    public static final List<String> BALANCER_SRC_ROUTING_EXTRA = List.of(SRC_ROUTES);

    /** Maps second-chance builds ({@code balancer_sc}, {@code balancer_gue_sc}) have besides {@link #BALANCER}
     * (second-chance frames are GUE, so every such build has {@link #ENCAP_SRCS}). */
    public static final List<String> BALANCER_SC_EXTRA = List.of(ENCAP_SRCS, CH_RINGS_PREV);

    public static final List<String> HEALTH_CHECK = List.of(HC_REALS, HC_CTL, HC_STATS);
    public static final List<String> XDP_ROOT = List.of(ROOT_ARRAY);
    public static final List<String> BACKEND = List.of(BACKEND_CTL, BACKEND_STATS);
    /** The pre-filter's maps; it includes xdp_root.h, so {@link #ROOT_ARRAY} too (share it by its pin to chain). */
    public static final List<String> FILTER = List.of(
            FILTER_SRC_V4,
            FILTER_SRC_V6,
            FILTER_DST_V4,
            FILTER_DST_V6,
            FILTER_CHAINS,
            FILTER_RULES,
            FILTER_DNS,
            FILTER_DNS_DEPTHS,
            FILTER_STATS,
            FILTER_BUCKETS,
            FILTER_CTL,
            FILTER_SCRATCH,
            FILTER_GLOBAL,
            ROOT_ARRAY);
}
