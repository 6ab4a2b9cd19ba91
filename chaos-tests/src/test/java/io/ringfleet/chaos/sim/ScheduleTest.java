package io.ringfleet.chaos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seed alone decides the schedule: faults, writes (byte for byte), pauses and settings. */
class ScheduleTest {
    private static List<byte[]> batches(Schedule s) {
        return s.steps().stream()
                .flatMap(st -> st.submissions().stream())
                .flatMap(sub -> sub.batches().stream())
                .map(CommandBatch::toByteArray)
                .toList();
    }

    @Test
    void theSameSeedGivesTheSameSchedule() {
        for (long seed : new long[] {1, 6, 15, 123_456_789L, -7}) {
            Schedule a = Schedule.of(seed);
            Schedule b = Schedule.of(seed);
            assertEquals(a.toString(), b.toString());
            List<byte[]> ba = batches(a);
            List<byte[]> bb = batches(b);
            assertEquals(ba.size(), bb.size());
            for (int i = 0; i < ba.size(); i++) {
                assertTrue(Arrays.equals(ba.get(i), bb.get(i)), "batch " + i + " of seed " + seed);
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentSchedules() {
        assertNotEquals(Schedule.of(1).toString(), Schedule.of(2).toString());
    }

    @Test
    void theFirstTwoHundredSeedsCoverEveryKindOfStep() {
        Set<FaultKind> seen = EnumSet.noneOf(FaultKind.class);
        int steps = 0;
        for (long seed = 1; seed <= 200; seed++) {
            Schedule s = Schedule.of(seed);
            steps += s.steps().size();
            assertTrue(s.steps().size() >= 10 && s.steps().size() <= 24, s.toString());
            s.steps().forEach(st -> seen.add(st.kind()));
        }
        assertEquals(EnumSet.copyOf(Harness.SIMULATION.kinds()), seen);
        assertTrue(steps > 2000, "steps: " + steps);
    }

    @Test
    void requestIdsAreUniqueWithinASchedule() {
        Schedule s = Schedule.of(42);
        List<String> ids = s.steps().stream()
                .flatMap(st -> st.submissions().stream())
                .flatMap(sub -> sub.batches().stream())
                .map(CommandBatch::getRequestId)
                .toList();
        assertEquals(ids.size(), Set.copyOf(ids).size());
    }
}
