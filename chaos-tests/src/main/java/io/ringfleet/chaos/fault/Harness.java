package io.ringfleet.chaos.fault;

import static io.ringfleet.chaos.fault.FaultKind.CHURN;
import static io.ringfleet.chaos.fault.FaultKind.CONCURRENT;
import static io.ringfleet.chaos.fault.FaultKind.DISK;
import static io.ringfleet.chaos.fault.FaultKind.DRAIN;
import static io.ringfleet.chaos.fault.FaultKind.HEAL;
import static io.ringfleet.chaos.fault.FaultKind.HOST_FAILURE;
import static io.ringfleet.chaos.fault.FaultKind.KILL;
import static io.ringfleet.chaos.fault.FaultKind.KILL_LEADER;
import static io.ringfleet.chaos.fault.FaultKind.LINK;
import static io.ringfleet.chaos.fault.FaultKind.PARTITION;
import static io.ringfleet.chaos.fault.FaultKind.PARTITION_LEADER;
import static io.ringfleet.chaos.fault.FaultKind.PAUSE;
import static io.ringfleet.chaos.fault.FaultKind.RESTART;
import static io.ringfleet.chaos.fault.FaultKind.RESTART_WIPED;
import static io.ringfleet.chaos.fault.FaultKind.SLOW;
import static io.ringfleet.chaos.fault.FaultKind.SNAPSHOT;
import static io.ringfleet.chaos.fault.FaultKind.SNAPSHOT_INSTALL;
import static io.ringfleet.chaos.fault.FaultKind.SUBMIT;
import static io.ringfleet.chaos.fault.FaultKind.TRANSFER_LEADER;
import static io.ringfleet.chaos.fault.FaultKind.UNDRAIN;
import static io.ringfleet.chaos.fault.FaultKind.UNSLOW;

import java.util.List;

/**
 * The two chaos harnesses and the kinds of {@link FaultKind} each can inject.
 *
 * <p>The order of each list is part of what a seed means: a harness's schedule generator draws its kinds in this
 * order, so reordering a list (or inserting into it) changes the schedule of every seed, regression seeds included.
 * Add a kind at the end.
 */
public enum Harness {
    /** The seeded in-process simulation of the control plane ({@code io.ringfleet.chaos.sim}). */
    SIMULATION(List.of(
            SUBMIT,
            CONCURRENT,
            DRAIN,
            UNDRAIN,
            KILL,
            KILL_LEADER,
            RESTART,
            RESTART_WIPED,
            PARTITION,
            PARTITION_LEADER,
            HEAL,
            SLOW,
            UNSLOW,
            SNAPSHOT,
            SNAPSHOT_INSTALL,
            TRANSFER_LEADER,
            PAUSE)),
    /** Real lb-agent processes in network namespaces ({@code io.ringfleet.chaos.netnschaos}). */
    NETNS(List.of(KILL, KILL_LEADER, PARTITION, DRAIN, CHURN, LINK, DISK, HOST_FAILURE));

    private final List<FaultKind> kinds;

    Harness(List<FaultKind> kinds) {
        this.kinds = kinds;
    }

    /** The kinds this harness can inject, in the order its seeds draw them. */
    public List<FaultKind> kinds() {
        return kinds;
    }
}
