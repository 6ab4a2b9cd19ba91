package io.ringfleet.agent.health;

import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import java.util.Objects;

/**
 * One pair to probe: probes go to the VIP's address and the spec's port, from a socket with SO_MARK
 * {@code mark}, which the health-check destinations map ({@code hc_reals}, from {@code SetHealthCheckDst}) ties
 * to the pair's real, so the tc forwarder encapsulates them to that real.
 *
 * @param mark 1..2^32-1 (as an unsigned int); 0 would send probes unmarked, to whichever real the VIP picks
 */
public record ProbeTarget(HealthPair pair, int mark, HealthCheckSpec spec) {
    public ProbeTarget {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(spec, "spec");
        if (mark == 0) {
            throw new IllegalArgumentException(
                    "a probe's SO_MARK must not be 0 (" + pair + "): an unmarked probe is not forwarded to the real");
        }
    }
}
