package io.ringfleet.state;

/** Ring builder of a VIP (Katran's HashFunction). */
public enum HashFunction {
    /** Katran's default Maglev: weights honoured in the first population round only. */
    MAGLEV,
    /** Maglev V2: weights honoured in every round. */
    MAGLEV_V2;

    public io.ringfleet.api.HashFunction toProto() {
        return this == MAGLEV ? io.ringfleet.api.HashFunction.MAGLEV : io.ringfleet.api.HashFunction.MAGLEV_V2;
    }

    /**
     * @throws IllegalArgumentException for numbers that are not a known hash function
     */
    public static HashFunction fromProto(io.ringfleet.api.HashFunction proto) {
        switch (proto) {
            case MAGLEV:
                return MAGLEV;
            case MAGLEV_V2:
                return MAGLEV_V2;
            default:
                throw new IllegalArgumentException("hash function must be MAGLEV (0) or MAGLEV_V2 (1), got " + proto);
        }
    }
}
