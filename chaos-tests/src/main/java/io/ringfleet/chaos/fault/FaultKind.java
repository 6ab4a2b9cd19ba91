package io.ringfleet.chaos.fault;

/**
 * The one vocabulary of the chaos tests: every fault (and every other step) a chaos schedule can take, for both
 * harnesses. What each harness can inject, and in which order its seeds draw them, is stated once, in
 * {@link Harness}; how each harness injects a kind is said on the constant.
 *
 * <p>The simulation ({@code io.ringfleet.chaos.sim}, Ratis in process) schedules every fault and its heal as steps of
 * their own; the real-process chaos ({@code io.ringfleet.chaos.netnschaos}, lb-agent processes in namespaces) holds
 * each fault for a dwell and then heals it itself (restart, rules removed, undrain, real added back).
 */
public enum FaultKind {
    /** Not a fault: one agent sends a few batches through its own node, one after the other (simulation). */
    SUBMIT("submit"),
    /** Not a fault: two or three agents send batches through their own nodes at the same time (simulation). */
    CONCURRENT("concurrent submit"),
    /**
     * An LB node is drained: a DrainNode batch (simulation), or {@code lbctl node drain}, whose route hook withdraws
     * the node's next hop so its flows move, undrained after the dwell (real processes).
     */
    DRAIN("drain/undrain"),
    /** An LB node is undrained: an UndrainNode batch (simulation; the real-process chaos undrains as DRAIN's heal). */
    UNDRAIN("undrain"),
    /**
     * A node stops, its disk stays: its Raft traffic is cut at once and its server closes in the background
     * (simulation), or its agent gets SIGKILL and is restarted after the dwell (real processes).
     */
    KILL("kill -9 agent"),
    /**
     * Whichever node leads at that moment stops, as {@link #KILL} (the real-process chaos asks lbctl status who
     * leads).
     */
    KILL_LEADER("kill -9 leader"),
    /** A stopped node starts again with its disk (simulation; the real-process chaos restarts as KILL's heal). */
    RESTART("restart"),
    /** A stopped node's storage is deleted and it starts empty: it catches up from the log or a snapshot. */
    RESTART_WIPED("restart wiped"),
    /**
     * A node's Raft traffic is cut both ways: at Ratis's injection points (simulation), or by iptables in the LB's
     * namespace dropping TCP port 9870 on its control link, removed after the dwell (real processes).
     */
    PARTITION("partition raft"),
    /** The leader's Raft traffic is cut both ways. */
    PARTITION_LEADER("partition leader"),
    /** Every cut link is restored. */
    HEAL("heal"),
    /** A node handles (and has handled) its Raft traffic late. */
    SLOW("slow raft"),
    /** A slow node is fast again. */
    UNSLOW("unslow"),
    /** Not a fault: a node takes a snapshot (and purges its log as configured). */
    SNAPSHOT("snapshot"),
    /**
     * Snapshot install: the node stops and is wiped, the others take batches, snapshot and purge their logs, and the
     * node restarts empty: it can only catch up through the leader's snapshot.
     */
    SNAPSHOT_INSTALL("snapshot install"),
    /** Leadership is transferred to the node. */
    TRANSFER_LEADER("transfer leader"),
    /** Not a fault: nothing but time passes. */
    PAUSE("pause"),
    /**
     * A backend is removed from the traffic VIPs and added back after the dwell; its flows break, as expected
     * (real processes).
     */
    CHURN("real churn"),
    /**
     * A node's Raft link loses, delays and reorders packets (real processes): {@code tc netem} on its control link
     * inside its namespace, or, where the kernel has no netem, iptables dropping a share of its Raft packets at
     * random and a {@code tbf} rate limit queueing the rest; removed after the dwell.
     */
    LINK("lossy raft link"),
    /**
     * The leader's data directory (a small tmpfs of its own) fills up; the agent is killed and restarted on the full
     * disk, which it must refuse (or start without acknowledging what it cannot persist); the disk is freed after
     * the dwell and the agent restarted (real processes).
     */
    DISK("disk full"),
    /**
     * An LB host fails as a whole (real processes, with real BGP): every process of its namespace stops (agent and
     * BIRD), its XDP program is detached and its links go down; the router's BFD withdraws its routes. After the
     * dwell the host returns (links up, BIRD announcing nothing), its agent restarts and announces once ready.
     */
    HOST_FAILURE("LB host failure");

    private final String label;

    FaultKind(String label) {
        this.label = label;
    }

    /** The kind as reports print it. */
    public String label() {
        return label;
    }

    /** Whether {@code harness} can inject this kind. */
    public boolean injectableBy(Harness harness) {
        return harness.kinds().contains(this);
    }
}
