package io.ringfleet.agent.health;

import io.ringfleet.state.health.HealthPair;
import java.util.Objects;

/**
 * This node's verdict on a pair changed (what the log side writes as one {@code RealHealthReported}).
 *
 * @param reason the last probe's outcome, e.g. {@code connect: Connection refused} or {@code status 200}
 * @param streak the consecutive probes with that outcome that decided it (rise or fall)
 */
public record VerdictChange(HealthPair pair, Verdict from, Verdict to, String reason, int streak) {
    public VerdictChange {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return pair + " " + from + " -> " + to + " after " + streak + " (" + reason + ")";
    }
}
