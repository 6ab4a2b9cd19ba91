package io.ringfleet.bpf.datapath;

/**
 * enum rf_global_counter of rf_abi.h, in order (index = ordinal). {@code GlobalCounterTest}-style
 * checks compare the count with the shim's RF_GC_COUNT.
 */
enum GlobalCounter {
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
    OVERSIZE;

    int index() {
        return ordinal();
    }
}
