package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The faults of one scenario, chosen and ordered by its seed. Every schedule has at least one {@link
 * FaultKind#HOST_FAILURE}; with as many faults as {@link Harness#NETNS} has kinds (eight) or more, every kind occurs
 * at least once and one fault or more carries an overlapping one ({@link #overlapFor}). Soundness rule: every {@link
 * FaultKind#CHURN} comes after the last fault that moves flows to other LBs ({@link FaultKind#DRAIN}, {@link
 * FaultKind#HOST_FAILURE}), so no flow moves to another LB after the traffic VIPs' rings changed (see the README: a
 * flow that changes LB after a ring change may legitimately land on another real).
 */
public record ChaosSchedule(long seed, List<Fault> faults) {
    public static final int MIN_DWELL_MILLIS = 2000;
    public static final int MAX_DWELL_MILLIS = 5000;

    public ChaosSchedule {
        faults = List.copyOf(faults);
    }

    /** The schedule of seed with count faults (1..100). */
    public static ChaosSchedule of(long seed, int count) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("faults must be 1..100, got " + count);
        }
        Random random = new Random(seed);
        List<FaultKind> all = Harness.NETNS.kinds(); // in the order that gives each seed its schedule
        List<FaultKind> kinds = new ArrayList<>();
        if (count >= all.size()) {
            kinds.addAll(all);
        } else {
            kinds.add(FaultKind.HOST_FAILURE); // the "Done when": every run fails a host at least once
        }
        while (kinds.size() < count) {
            kinds.add(all.get(random.nextInt(all.size())));
        }
        Collections.shuffle(kinds, random);
        kinds = churnAfterFlowMoves(kinds, random);
        List<Fault> faults = new ArrayList<>();
        for (FaultKind k : kinds) {
            int target = switch (k) {
                case KILL, PARTITION, DRAIN, LINK, HOST_FAILURE -> 1 + random.nextInt(3);
                case CHURN -> 1 + random.nextInt(3);
                case KILL_LEADER, DISK -> 0;
                default -> throw new IllegalStateException(k + " is not in " + Harness.NETNS);
            };
            faults.add(new Fault(k, target, dwell(random)));
        }
        return new ChaosSchedule(seed, withOverlaps(faults, count >= all.size(), random));
    }

    private static int dwell(Random random) {
        return MIN_DWELL_MILLIS + random.nextInt(MAX_DWELL_MILLIS - MIN_DWELL_MILLIS + 1);
    }

    /**
     * Gives about a third of the faults that can carry one an overlapping fault ({@link #overlapFor}), at least one
     * when {@code atLeastOne} (and one can).
     */
    static List<Fault> withOverlaps(List<Fault> faults, boolean atLeastOne, Random random) {
        List<Fault> out = new ArrayList<>();
        boolean any = false;
        int firstOverlappable = -1;
        for (Fault f : faults) {
            boolean can = Fault.OVERLAPPABLE.contains(f.kind());
            firstOverlappable = can && firstOverlappable < 0 ? out.size() : firstOverlappable;
            if (can && random.nextInt(3) == 0) {
                out.add(overlapFor(f, random));
                any = true;
            } else {
                out.add(f);
            }
        }
        if (atLeastOne && !any && firstOverlappable >= 0) {
            out.set(firstOverlappable, overlapFor(out.get(firstOverlappable), random));
        }
        return out;
    }

    /**
     * The fault with a second one on another LB. Only pairs a three-node Raft survives, so that writes go on:
     * a kill -9, a partition or a drain of one LB with a lossy link on another, or a lossy link with a kill -9 of
     * another (one node out, one slow and lossy but a member: the third and the slow one are still a majority).
     * Not scheduled: two of kill -9, partition and disk full at once (two of three nodes out is unavailability,
     * not a bug: the writes then time out unacknowledged, which the ledger already allows); a churn with anything
     * (its ring change must not meet a drain's flow moves, see {@link #churnAfterFlowMoves}); a host failure with
     * anything (its host is out of Raft as a kill -9 is, and its flows move as a drain's); a second drain (only
     * one LB is drained at a time); a disk full with anything (it needs the two others healthy to go on).
     */
    static Fault overlapFor(Fault f, Random random) {
        int other = 1 + (f.target() - 1 + 1 + random.nextInt(2)) % 3; // one of the two other LBs
        FaultKind second = f.kind() == FaultKind.LINK ? FaultKind.KILL : FaultKind.LINK;
        return new Fault(f.kind(), f.target(), f.dwellMillis(), new Fault(second, other, dwell(random)));
    }

    /** Faults that carry an overlapping one. */
    public int overlapping() {
        return (int) faults.stream().filter(f -> f.overlapping() != null).count();
    }

    /**
     * Moves every churn placed before the last drain or host failure to a random place after it (order otherwise
     * kept).
     */
    static List<FaultKind> churnAfterFlowMoves(List<FaultKind> kinds, Random random) {
        List<FaultKind> out = new ArrayList<>(kinds);
        int lastMove = lastFlowMove(out);
        List<FaultKind> moved = new ArrayList<>();
        for (int i = lastMove - 1; i >= 0; i--) {
            if (out.get(i) == FaultKind.CHURN) {
                moved.add(out.remove(i));
            }
        }
        for (FaultKind churn : moved) {
            int after = lastFlowMove(out) + 1;
            out.add(after + random.nextInt(out.size() - after + 1), churn);
        }
        return out;
    }

    /** The index of the last fault that moves flows to other LBs (drain, host failure), or -1. */
    static int lastFlowMove(List<FaultKind> kinds) {
        return Math.max(kinds.lastIndexOf(FaultKind.DRAIN), kinds.lastIndexOf(FaultKind.HOST_FAILURE));
    }

    /** Host failures scheduled. */
    public int hostFailures() {
        return (int)
                faults.stream().filter(f -> f.kind() == FaultKind.HOST_FAILURE).count();
    }

    /** The schedule as printed before the run. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("schedule of seed " + seed + ": " + faults.size() + " faults");
        for (int i = 0; i < faults.size(); i++) {
            lines.add(String.format("  %2d. %s", i + 1, faults.get(i)));
        }
        return lines;
    }
}
