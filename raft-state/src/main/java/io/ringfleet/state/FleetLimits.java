package io.ringfleet.state;

import io.ringfleet.state.maglev.MaglevRing;

/**
 * Capacity limits enforced when commands are validated (never on replay, so a log written under other
 * limits still replays). Every replica must use the same limits: they come from the cluster config.
 *
 * <p>Defaults are Katran's: 512 VIPs (vip_num 0..511), 4096 real slots of which index 0 is reserved,
 * so 4095 reals (index 1..4095); 4096 health-check destinations; QUIC server ids 1..0xffffff (the 24
 * bits of a v2 connection id); Maglev rings of {@link #RING_SIZE} slots (the datapath's, Katran's ring size;
 * used by {@link FleetRings}, never by validation); {@link HashFunction#MAGLEV} for a VIP added without a hash function (resolved by
 * validation and written into the VipAdded record, so replaying records never reads it).
 *
 * <p>The one owner of these limits: the fleet config ({@code cluster-config}) reads its {@code limits} section
 * into this class and lb-agent sizes the BPF maps from it.
 */
public final class FleetLimits {
    public static final int DEFAULT_MAX_VIPS = 512;
    /** vip_num is 16 bits wide in the API. */
    public static final int MAX_VIPS = 65536;

    public static final int DEFAULT_MAX_REALS = 4096;
    /** Index 0 is reserved, so at least one usable index. */
    public static final int MIN_REALS = 2;
    /** A ring slot holds a 16-bit real index ({@link MaglevRing#MAX_REAL_INDEX}). */
    public static final int MAX_REALS = MaglevRing.MAX_REAL_INDEX + 1;
    /**
     * Slots of every VIP's ring in the datapath: RF_RING_SIZE, defined in bpf/src/main/c/include/rf_abi.h and
     * compiled into the balancer (the flow hash is taken modulo it). The one Java copy: lb-agent's
     * {@code RingSizeAbiTest} checks it against the value the JNI shim reports, the fleet config accepts no other
     * ring size and lb-agent sizes the ring map with it. Other sizes are for the pure core's tests only.
     */
    public static final int RING_SIZE = 65537;

    public static final int DEFAULT_RING_SIZE = RING_SIZE;
    /** The ring map holds maxVips x ringSize slots in one BPF array, whose size is a signed 32-bit count. */
    public static final long MAX_RING_SLOTS = Integer.MAX_VALUE;

    public static final FleetLimits DEFAULT = builder().build();

    private final int maxVips;
    private final int maxReals;
    private final int maxHealthCheckDsts;
    private final long maxQuicServerId;
    private final int ringSize;
    private final HashFunction defaultHashFunction;

    private FleetLimits(Builder b) {
        this.maxVips = b.maxVips;
        this.maxReals = b.maxReals;
        this.maxHealthCheckDsts = b.maxHealthCheckDsts;
        this.maxQuicServerId = b.maxQuicServerId;
        this.ringSize = b.ringSize;
        this.defaultHashFunction = b.defaultHashFunction;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** VIP numbers are 0 .. maxVips-1. */
    public int maxVips() {
        return maxVips;
    }

    /** Size of the reals table; index 0 is reserved, so real indexes are 1 .. maxReals-1. */
    public int maxReals() {
        return maxReals;
    }

    /** Highest real index: maxReals - 1. */
    public int maxRealIndex() {
        return maxReals - 1;
    }

    public int maxHealthCheckDsts() {
        return maxHealthCheckDsts;
    }

    /** QUIC server ids are 1 .. maxQuicServerId. */
    public long maxQuicServerId() {
        return maxQuicServerId;
    }

    /** Slots of every VIP's Maglev ring (a prime); default 65537. */
    public int ringSize() {
        return ringSize;
    }

    /** The hash function of a VIP added without one (the fleet config's limits.maglev); default MAGLEV. */
    public HashFunction defaultHashFunction() {
        return defaultHashFunction;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FleetLimits && toString().equals(o.toString()); // toString lists every field
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "FleetLimits{maxVips=" + maxVips + ", maxReals=" + maxReals + ", maxHealthCheckDsts="
                + maxHealthCheckDsts + ", maxQuicServerId=" + maxQuicServerId + ", ringSize=" + ringSize
                + ", defaultHashFunction=" + defaultHashFunction + "}";
    }

    public static final class Builder {
        private int maxVips = DEFAULT_MAX_VIPS;
        private int maxReals = DEFAULT_MAX_REALS;
        private int maxHealthCheckDsts = 4096;
        private long maxQuicServerId = 0xffffffL;
        private int ringSize = DEFAULT_RING_SIZE;
        private HashFunction defaultHashFunction = HashFunction.MAGLEV;

        private Builder() {}

        /** 1..{@value #MAX_VIPS}; default {@value #DEFAULT_MAX_VIPS}. */
        public Builder maxVips(int maxVips) {
            if (maxVips < 1 || maxVips > MAX_VIPS) {
                throw new IllegalArgumentException("maxVips must be from 1 to " + MAX_VIPS + ", got " + maxVips);
            }
            this.maxVips = maxVips;
            return this;
        }

        /** {@value #MIN_REALS}..{@value #MAX_REALS}; default {@value #DEFAULT_MAX_REALS}. */
        public Builder maxReals(int maxReals) {
            if (maxReals < MIN_REALS || maxReals > MAX_REALS) {
                throw new IllegalArgumentException("maxReals must be from " + MIN_REALS + " to " + MAX_REALS
                        + " (index 0 is reserved; a ring slot holds a 16-bit real index), got " + maxReals);
            }
            this.maxReals = maxReals;
            return this;
        }

        /** 0..1048576; default 4096. */
        public Builder maxHealthCheckDsts(int maxHealthCheckDsts) {
            if (maxHealthCheckDsts < 0 || maxHealthCheckDsts > 1 << 20) {
                throw new IllegalArgumentException("maxHealthCheckDsts must be 0..1048576, got " + maxHealthCheckDsts);
            }
            this.maxHealthCheckDsts = maxHealthCheckDsts;
            return this;
        }

        /** 1..4294967295; default 16777215 (0xffffff). */
        public Builder maxQuicServerId(long maxQuicServerId) {
            if (maxQuicServerId < 1 || maxQuicServerId > 0xffffffffL) {
                throw new IllegalArgumentException("maxQuicServerId must be 1..4294967295, got " + maxQuicServerId);
            }
            this.maxQuicServerId = maxQuicServerId;
            return this;
        }

        /** A prime, {@value MaglevRing#MIN_SIZE}..{@value MaglevRing#MAX_SIZE}; default 65537 (Katran's). */
        public Builder ringSize(int ringSize) {
            if (!MaglevRing.isValidSize(ringSize)) {
                throw new IllegalArgumentException("ringSize must be a prime from " + MaglevRing.MIN_SIZE + " to "
                        + MaglevRing.MAX_SIZE + ", got " + ringSize);
            }
            this.ringSize = ringSize;
            return this;
        }

        /** MAGLEV (Katran's default) or MAGLEV_V2; default MAGLEV. */
        public Builder defaultHashFunction(HashFunction hashFunction) {
            if (hashFunction == null) {
                throw new IllegalArgumentException("defaultHashFunction must be MAGLEV or MAGLEV_V2, got null");
            }
            this.defaultHashFunction = hashFunction;
            return this;
        }

        /**
         * @throws IllegalArgumentException when maxVips x ringSize ring slots do not fit one BPF array
         */
        public FleetLimits build() {
            if ((long) maxVips * ringSize > MAX_RING_SLOTS) {
                throw new IllegalArgumentException("maxVips x ringSize must be at most " + MAX_RING_SLOTS
                        + " ring slots, got " + maxVips + " x " + ringSize);
            }
            return new FleetLimits(this);
        }
    }
}
