package io.ringfleet.bpf.abi;

/** enum rf_global_counter: the indexes of the balancer's global_stats (each an rf_counter). */
public enum GlobalCounter {
    LRU_LOOKUP,
    LRU_HIT,
    LRU_MISS_TCP_SYN,
    LRU_MISS_TCP_OTHER,
    LRU_MISS_UDP,
    FALLBACK_HIT,
    NEW_CONN_LIMITED,
    ICMP_ECHO,
    ICMP_TOO_BIG,
    ICMP_PTB_FORWARD,
    CH_DROP,
    ENCAP_FAIL,
    QUIC_ROUTED,
    QUIC_FALLBACK,
    XDP_PASS,
    XDP_DROP,
    XDP_TX,
    UDP_FLOW_MIGRATED,
    OVERSIZE,
    SECOND_CHANCE;

    /** RF_GC_COUNT. */
    public static final int COUNT = values().length;

    /** The global_stats index (RF_GC_*). */
    public int index() {
        return ordinal();
    }
}
