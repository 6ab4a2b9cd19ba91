package io.ringfleet.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairVerdictTest {
    private static final HealthPair PAIR =
            new HealthPair(new VipKey(IpAddress.parse("10.200.0.1"), 80, Protocol.TCP), IpAddress.parse("10.1.0.2"));
    private static final ProbeResult OK = new ProbeResult(true, "connected", 1);
    private static final ProbeResult FAIL = new ProbeResult(false, "connect: refused", 1);

    private static List<VerdictChange> feed(PairVerdict v, int rise, int fall, ProbeResult... results) {
        List<VerdictChange> out = new ArrayList<>();
        for (ProbeResult r : results) {
            v.record(r, rise, fall).ifPresent(out::add);
        }
        return out;
    }

    @Test
    void comesUpAfterRiseSuccessesAndNotBefore() {
        PairVerdict v = new PairVerdict(PAIR);
        assertEquals(List.of(), feed(v, 2, 3, OK));
        assertEquals(Verdict.UNKNOWN, v.verdict());
        List<VerdictChange> changes = feed(v, 2, 3, OK);
        assertEquals(1, changes.size());
        assertEquals(Verdict.UNKNOWN, changes.get(0).from());
        assertEquals(Verdict.UP, changes.get(0).to());
        assertEquals(2, changes.get(0).streak());
    }

    @Test
    void goesDownAfterFallFailuresAndAFailureInBetweenResetsTheStreak() {
        PairVerdict v = new PairVerdict(PAIR);
        feed(v, 2, 3, OK, OK);
        assertEquals(List.of(), feed(v, 2, 3, FAIL, FAIL, OK, FAIL, FAIL));
        assertEquals(Verdict.UP, v.verdict());
        List<VerdictChange> down = feed(v, 2, 3, FAIL);
        assertEquals(Verdict.DOWN, down.get(0).to());
        assertEquals(3, down.get(0).streak());
        assertEquals("connect: refused", down.get(0).reason());
    }

    @Test
    void reportsEdgesOnlyNeverOnePerProbe() {
        Random random = new Random(11);
        PairVerdict v = new PairVerdict(PAIR);
        Verdict before = v.verdict();
        int probes = 10_000;
        int changes = 0;
        for (int i = 0; i < probes; i++) {
            // runs of equal results, so both edges happen many times
            ProbeResult r = (i / (1 + random.nextInt(6))) % 2 == 0 ? OK : FAIL;
            var change = v.record(r, 2, 3);
            if (change.isPresent()) {
                changes++;
                assertEquals(before, change.get().from());
                assertTrue(change.get().from() != change.get().to());
                before = change.get().to();
            }
            assertEquals(before, v.verdict());
        }
        assertTrue(changes > 0 && changes < probes / 2, changes + " changes in " + probes + " probes");
    }
}
