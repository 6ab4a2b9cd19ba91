package io.ringfleet.bpf.abi;

/** enum rf_hc_counter: the indexes of hc_stats. */
public enum HcCounter {
    FORWARDED,
    NO_MAPPING,
    ENCAP_FAIL,
    NO_SOURCE,
    NOT_IP;

    /** The hc_stats index (RF_HC_*). */
    public int index() {
        return ordinal();
    }

    /** RF_HC_COUNT. */
    public static final int COUNT = values().length;
}
