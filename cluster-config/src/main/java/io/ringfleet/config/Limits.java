package io.ringfleet.config;

import java.util.Objects;

/**
 * Fleet-wide sizes of the datapath's maps and the ring algorithm. Every node must use the same values, so
 * they live in the fleet config, not in per-node settings.
 *
 * @param maxVips most VIPs the fleet can hold (rows of the ring map), 1 to {@value #MAX_VIPS}
 * @param maxReals most reals (backends) the fleet can hold, 1 to {@value #MAX_REALS}
 * @param ringSize Maglev ring size per VIP, a prime from {@value #MIN_RING_SIZE} to {@value #MAX_RING_SIZE}
 * @param maglev which Maglev variant computes the rings
 */
public record Limits(int maxVips, int maxReals, int ringSize, MaglevVariant maglev) {
    public static final int DEFAULT_MAX_VIPS = 512;
    public static final int DEFAULT_MAX_REALS = 4096;
    public static final int DEFAULT_RING_SIZE = 65537;
    public static final MaglevVariant DEFAULT_MAGLEV = MaglevVariant.V1;

    public static final int MAX_VIPS = 65536;
    public static final int MAX_REALS = 1 << 20;
    public static final int MIN_RING_SIZE = 3;
    /** The largest prime below 2^24. */
    public static final int MAX_RING_SIZE = 16_777_213;
    /** The ring map holds maxVips x ringSize slots in one BPF array, whose size is a signed 32-bit count. */
    public static final long MAX_RING_SLOTS = Integer.MAX_VALUE;

    /** Katran's defaults: 512 VIPs, 4096 reals, ring size 65537, Maglev v1. */
    public static final Limits DEFAULTS =
            new Limits(DEFAULT_MAX_VIPS, DEFAULT_MAX_REALS, DEFAULT_RING_SIZE, DEFAULT_MAGLEV);

    public Limits {
        if (maxVips < 1 || maxVips > MAX_VIPS) {
            throw new IllegalArgumentException("maxVips must be from 1 to " + MAX_VIPS + ", got " + maxVips);
        }
        if (maxReals < 1 || maxReals > MAX_REALS) {
            throw new IllegalArgumentException("maxReals must be from 1 to " + MAX_REALS + ", got " + maxReals);
        }
        if (ringSize < MIN_RING_SIZE || ringSize > MAX_RING_SIZE || !isPrime(ringSize)) {
            throw new IllegalArgumentException("ringSize must be a prime from " + MIN_RING_SIZE + " to "
                    + MAX_RING_SIZE + ", got " + ringSize);
        }
        if ((long) maxVips * ringSize > MAX_RING_SLOTS) {
            throw new IllegalArgumentException("maxVips x ringSize must be at most " + MAX_RING_SLOTS
                    + " ring slots, got " + maxVips + " x " + ringSize);
        }
        Objects.requireNonNull(maglev, "maglev must not be null; use V1 or V2");
    }

    /** Trial division; ring sizes are at most 2^24, so this takes microseconds. */
    public static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
