package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The faults of one scenario, chosen and ordered by its seed. With five faults or more every kind occurs at
 * least once. Soundness rule: every {@link FaultKind#CHURN} comes after the last {@link FaultKind#DRAIN}, so no
 * flow moves to another LB after the traffic VIPs' rings changed (see the README: a flow that changes LB after
 * a ring change may legitimately land on another real).
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
        }
        while (kinds.size() < count) {
            kinds.add(all.get(random.nextInt(all.size())));
        }
        Collections.shuffle(kinds, random);
        kinds = churnAfterDrains(kinds, random);
        List<Fault> faults = new ArrayList<>();
        for (FaultKind k : kinds) {
            int target = switch (k) {
                case KILL, PARTITION, DRAIN -> 1 + random.nextInt(3);
                case CHURN -> 1 + random.nextInt(3);
                case KILL_LEADER -> 0;
                default -> throw new IllegalStateException(k + " is not in " + Harness.NETNS);
            };
            faults.add(
                    new Fault(k, target, MIN_DWELL_MILLIS + random.nextInt(MAX_DWELL_MILLIS - MIN_DWELL_MILLIS + 1)));
        }
        return new ChaosSchedule(seed, faults);
    }

    /** Moves every churn placed before the last drain to a random place after it (order otherwise kept). */
    static List<FaultKind> churnAfterDrains(List<FaultKind> kinds, Random random) {
        List<FaultKind> out = new ArrayList<>(kinds);
        int lastDrain = out.lastIndexOf(FaultKind.DRAIN);
        List<FaultKind> moved = new ArrayList<>();
        for (int i = lastDrain - 1; i >= 0; i--) {
            if (out.get(i) == FaultKind.CHURN) {
                moved.add(out.remove(i));
            }
        }
        for (FaultKind churn : moved) {
            int after = out.lastIndexOf(FaultKind.DRAIN) + 1;
            out.add(after + random.nextInt(out.size() - after + 1), churn);
        }
        return out;
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
