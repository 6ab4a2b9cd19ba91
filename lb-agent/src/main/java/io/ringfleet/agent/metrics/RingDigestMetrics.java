package io.ringfleet.agent.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code ringfleet_programmed_rings_digest}: the first 48 bits of the programmed rings' digest (the one
 * {@code lbctl status} shows in hex), as a number Prometheus holds exactly (a double has 53 bits of mantissa).
 * Nodes at the same programmed index must show the same value; the digest-mismatch alert compares them.
 * NaN until something is programmed.
 */
public final class RingDigestMetrics {
    /** Bits of the digest exported: below 2^53, so the double is exact. */
    static final int BITS = 48;

    private RingDigestMetrics() {}

    public static void register(MeterRegistry registry, Supplier<Optional<byte[]>> programmedDigest) {
        Gauge.builder("ringfleet.programmed.rings.digest", programmedDigest, d -> prefix(d.get()))
                .strongReference(true)
                .description("first 48 bits of the programmed rings' digest; equal on nodes at equal programmed index")
                .register(registry);
    }

    /** The digest's first {@link #BITS} bits, big-endian, or NaN for no digest. */
    static double prefix(Optional<byte[]> digest) {
        if (digest.isEmpty() || digest.get().length < BITS / 8) {
            return Double.NaN;
        }
        long v = 0;
        for (int i = 0; i < BITS / 8; i++) {
            v = (v << 8) | (digest.get()[i] & 0xff);
        }
        return v;
    }
}
