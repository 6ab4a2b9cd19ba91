package io.ringfleet.state.health;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipKey;
import java.util.Comparator;
import java.util.Objects;

/** One (VIP, real) pair whose health is checked and voted on. Text form: {@code 10.0.0.1:80/tcp -> 10.1.0.2}. */
public record HealthPair(VipKey vip, IpAddress real) implements Comparable<HealthPair> {
    private static final Comparator<HealthPair> ORDER =
            Comparator.comparing(HealthPair::vip).thenComparing(HealthPair::real);

    public HealthPair {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(real, "real");
    }

    @Override
    public int compareTo(HealthPair other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return vip + " -> " + real;
    }
}
