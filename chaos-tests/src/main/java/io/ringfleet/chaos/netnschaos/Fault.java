package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;

/**
 * One fault of a {@link ChaosSchedule}, injected, held for {@code dwellMillis} while operator writes go on, then
 * healed. Its kind is one the real-process harness can inject ({@link Harness#NETNS}).
 *
 * @param kind what is done
 * @param target the LB number (kill, partition, drain), the backend number (churn), or 0 (the leader, found when
 *     the fault starts)
 * @param dwellMillis how long the fault is held once injected
 */
public record Fault(FaultKind kind, int target, int dwellMillis) {
    public Fault {
        if (!kind.injectableBy(Harness.NETNS)) {
            throw new IllegalArgumentException(
                    kind + " is not a fault the real-process chaos injects: " + Harness.NETNS.kinds());
        }
    }

    /** What the fault hits, as printed. */
    public String targetText() {
        return switch (kind) {
            case KILL, PARTITION, DRAIN -> "lb" + target;
            case KILL_LEADER -> "leader";
            case CHURN -> "be" + target;
            default -> throw new IllegalStateException(kind.toString()); // the constructor admits no other kind
        };
    }

    @Override
    public String toString() {
        return kind.label() + (kind == FaultKind.KILL_LEADER ? "" : " " + targetText()) + " for " + dwellMillis + " ms";
    }
}
