package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;
import java.util.Set;

/**
 * One fault of a {@link ChaosSchedule}, injected, held for {@code dwellMillis} while operator writes go on, then
 * healed. Its kind is one the real-process harness can inject ({@link Harness#NETNS}).
 *
 * <p>A fault may carry a second one, {@code overlapping}, injected a third of the way into its dwell on another
 * LB, so that both are on at once. Only pairs a three-node Raft survives are scheduled (see {@link
 * ChaosSchedule#overlapFor}): one of the two is always a lossy link, which slows a node but keeps it a member.
 *
 * @param kind what is done
 * @param target the LB number (kill, partition, drain, link, host failure), the backend number (churn), or 0 (the leader, found
 *     when the fault starts: kill -9 leader, disk full)
 * @param dwellMillis how long the fault is held once injected
 * @param overlapping the fault injected while this one is on, or null
 */
public record Fault(FaultKind kind, int target, int dwellMillis, Fault overlapping) {
    /** The kinds that may carry an overlapping fault. */
    static final Set<FaultKind> OVERLAPPABLE =
            Set.of(FaultKind.KILL, FaultKind.PARTITION, FaultKind.DRAIN, FaultKind.LINK);

    public Fault {
        if (!kind.injectableBy(Harness.NETNS)) {
            throw new IllegalArgumentException(
                    kind + " is not a fault the real-process chaos injects: " + Harness.NETNS.kinds());
        }
        if (overlapping != null && (!OVERLAPPABLE.contains(kind) || overlapping.overlapping() != null)) {
            throw new IllegalArgumentException("only " + OVERLAPPABLE + " carry an overlapping fault, one at most; got "
                    + kind + " with " + overlapping);
        }
    }

    public Fault(FaultKind kind, int target, int dwellMillis) {
        this(kind, target, dwellMillis, null);
    }

    /** What the fault hits, as printed. */
    public String targetText() {
        return switch (kind) {
            case KILL, PARTITION, DRAIN, LINK, HOST_FAILURE -> "lb" + target;
            case KILL_LEADER, DISK -> "leader";
            case CHURN -> "be" + target;
            default -> throw new IllegalStateException(kind.toString()); // the constructor admits no other kind
        };
    }

    @Override
    public String toString() {
        String own = kind.label() + (kind == FaultKind.KILL_LEADER ? "" : " " + targetText()) + " for " + dwellMillis
                + " ms";
        return overlapping == null ? own : own + ", overlapped by " + overlapping;
    }
}
