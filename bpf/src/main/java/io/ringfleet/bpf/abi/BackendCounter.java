package io.ringfleet.bpf.abi;

/** enum rf_backend_counter: the indexes of ringfleet-backend's backend_stats. */
public enum BackendCounter {
    NOT_TUNNEL,
    DECAP_IPIP,
    DECAP_GUE,
    SC_LOCAL,
    SC_FORWARDED,
    SC_UNROUTABLE;

    /** The backend_stats index (RF_BC_*). */
    public int index() {
        return ordinal();
    }

    /** RF_BC_COUNT. */
    public static final int COUNT = values().length;

    /** RF_BACKEND_CTL_GATEWAY_MAC: the backend_ctl key of the gateway MAC (an rf_ctl value, codec {@link Ctl}). */
    public static final int CTL_GATEWAY_MAC = 0;
}
