package io.ringfleet.chaos.netnschaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Schedules: same seed, same schedule; every kind with as many faults as kinds; a host failure in every schedule; no
 * churn before a drain or a host failure.
 */
class ChaosScheduleTest {
    @Test
    void aSeedGivesOneSchedule() {
        assertEquals(ChaosSchedule.of(42, 8), ChaosSchedule.of(42, 8));
    }

    @Test
    void asManyFaultsAsKindsHaveEveryKindAnOverlapAHostFailureAndNoChurnBeforeAFlowMove() {
        int kindCount = Harness.NETNS.kinds().size();
        for (long seed = 1; seed <= 500; seed++) {
            for (int count : List.of(1, 3, 5, kindCount, 12)) {
                ChaosSchedule schedule = ChaosSchedule.of(seed, count);
                List<Fault> faults = schedule.faults();
                assertEquals(count, faults.size());
                assertTrue(schedule.hostFailures() >= 1, "seed " + seed + ", " + count + " faults: " + faults);
                EnumSet<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
                faults.forEach(f -> kinds.add(f.kind()));
                if (count >= kindCount) {
                    assertEquals(EnumSet.copyOf(Harness.NETNS.kinds()), kinds, "seed " + seed);
                    assertTrue(schedule.overlapping() >= 1, "seed " + seed + ": " + faults);
                }
                for (Fault f : faults) {
                    if (f.overlapping() != null) {
                        assertSurvivable(f, seed);
                    }
                }
                int lastFlowMove = -1;
                int firstChurn = Integer.MAX_VALUE;
                for (int i = 0; i < faults.size(); i++) {
                    Fault f = faults.get(i);
                    boolean movesFlows = f.kind() == FaultKind.DRAIN || f.kind() == FaultKind.HOST_FAILURE;
                    lastFlowMove = movesFlows ? i : lastFlowMove;
                    firstChurn = f.kind() == FaultKind.CHURN ? Math.min(firstChurn, i) : firstChurn;
                    assertTrue(f.dwellMillis() >= ChaosSchedule.MIN_DWELL_MILLIS
                            && f.dwellMillis() <= ChaosSchedule.MAX_DWELL_MILLIS);
                }
                assertTrue(firstChurn > lastFlowMove, "seed " + seed + ": " + faults);
            }
        }
    }

    /** One of a pair is a lossy link, the other hits another LB and is not a churn, drain-as-second or disk. */
    private static void assertSurvivable(Fault f, long seed) {
        Fault second = f.overlapping();
        assertTrue(f.kind() == FaultKind.LINK || second.kind() == FaultKind.LINK, "seed " + seed + ": " + f);
        assertTrue(f.target() != second.target(), "seed " + seed + ": both on one LB: " + f);
        assertTrue(Fault.OVERLAPPABLE.contains(f.kind()), "seed " + seed + ": " + f);
        assertTrue(second.kind() == FaultKind.LINK || second.kind() == FaultKind.KILL, "seed " + seed + ": " + f);
    }

    @Test
    void churnsAreMovedAfterTheLastDrainKeepingTheOtherOrder() {
        List<FaultKind> moved = ChaosSchedule.churnAfterFlowMoves(
                List.of(FaultKind.CHURN, FaultKind.KILL, FaultKind.DRAIN, FaultKind.PARTITION), new Random(1));
        assertEquals(List.of(FaultKind.KILL, FaultKind.DRAIN), moved.subList(0, 2));
        assertTrue(moved.indexOf(FaultKind.CHURN) > moved.indexOf(FaultKind.DRAIN));
        assertEquals(4, moved.size());
    }

    @Test
    void churnsAreMovedAfterTheLastHostFailure() {
        List<FaultKind> moved = ChaosSchedule.churnAfterFlowMoves(
                List.of(FaultKind.DRAIN, FaultKind.CHURN, FaultKind.HOST_FAILURE, FaultKind.KILL), new Random(3));
        assertEquals(List.of(FaultKind.DRAIN, FaultKind.HOST_FAILURE), moved.subList(0, 2));
        assertTrue(moved.indexOf(FaultKind.CHURN) > moved.indexOf(FaultKind.HOST_FAILURE));
        assertEquals(4, moved.size());
    }
}
