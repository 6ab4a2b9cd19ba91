package io.ringfleet.chaos.netnschaos;

/**
 * One fault of a {@link ChaosSchedule}, injected, held for {@code dwellMillis} while operator writes go on, then
 * healed.
 *
 * @param kind what is done
 * @param target the LB number (kill, partition, drain), the backend number (churn), or 0 (the leader, found when
 *     the fault starts)
 * @param dwellMillis how long the fault is held once injected
 */
public record Fault(Kind kind, int target, int dwellMillis) {
    /** The kinds of fault. */
    public enum Kind {
        /** SIGKILL of an LB's agent, restarted after the dwell. */
        KILL9("kill -9 agent"),
        /** SIGKILL of the agent that leads the Raft group (asked with lbctl status), restarted after the dwell. */
        KILL9_LEADER("kill -9 leader"),
        /** iptables in the LB's namespace drop TCP port 9870 (Raft) both ways on its control link; rules removed after. */
        PARTITION("partition raft"),
        /** lbctl node drain (its route hook withdraws its next hop: its flows move), undrain after the dwell. */
        DRAIN("drain/undrain"),
        /** A backend removed from the traffic VIPs, added back after the dwell (its flows break: expected). */
        CHURN("real churn");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What the fault hits, as printed. */
    public String targetText() {
        return switch (kind) {
            case KILL9, PARTITION, DRAIN -> "lb" + target;
            case KILL9_LEADER -> "leader";
            case CHURN -> "be" + target;
        };
    }

    @Override
    public String toString() {
        return kind.label() + (kind == Kind.KILL9_LEADER ? "" : " " + targetText()) + " for " + dwellMillis + " ms";
    }
}
