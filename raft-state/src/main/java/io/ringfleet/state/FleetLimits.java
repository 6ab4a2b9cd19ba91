package io.ringfleet.state;

import io.ringfleet.state.maglev.MaglevRing;

/**
 * Capacity limits enforced when commands are validated (never on replay, so a log written under other
 * limits still replays). Every replica must use the same limits: they come from the cluster config.
 *
 * <p>Defaults are Katran's: 512 VIPs (vip_num 0..511), 4096 real slots of which index 0 is reserved,
 * so 4095 reals (index 1..4095); 4096 health-check destinations; QUIC server ids 1..0xffffff (the 24
 * bits of a v2 connection id); Maglev rings of 65537 slots (Katran's ring size; used by {@link FleetRings},
 * never by validation); {@link HashFunction#MAGLEV} for a VIP added without a hash function (resolved by
 * validation and written into the VipAdded record, so replaying records never reads it).
 */
public final class FleetLimits {
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
  public String toString() {
    return "FleetLimits{maxVips=" + maxVips + ", maxReals=" + maxReals + ", maxHealthCheckDsts="
        + maxHealthCheckDsts + ", maxQuicServerId=" + maxQuicServerId + ", ringSize=" + ringSize
        + ", defaultHashFunction=" + defaultHashFunction + "}";
  }

  public static final class Builder {
    private int maxVips = 512;
    private int maxReals = 4096;
    private int maxHealthCheckDsts = 4096;
    private long maxQuicServerId = 0xffffffL;
    private int ringSize = MaglevRing.DEFAULT_SIZE;
    private HashFunction defaultHashFunction = HashFunction.MAGLEV;

    private Builder() {}

    /** 1..65536; default 512. */
    public Builder maxVips(int maxVips) {
      if (maxVips < 1 || maxVips > 65536) {
        throw new IllegalArgumentException("maxVips must be 1..65536, got " + maxVips);
      }
      this.maxVips = maxVips;
      return this;
    }

    /** 2..1048576 (index 0 is reserved, so at least one usable index); default 4096. */
    public Builder maxReals(int maxReals) {
      if (maxReals < 2 || maxReals > 1 << 20) {
        throw new IllegalArgumentException("maxReals must be 2..1048576 (index 0 is reserved), got " + maxReals);
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
        throw new IllegalArgumentException("ringSize must be a prime in " + MaglevRing.MIN_SIZE + ".."
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

    public FleetLimits build() {
      return new FleetLimits(this);
    }
  }
}
