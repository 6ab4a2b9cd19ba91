package io.ringfleet.chaos.netnschaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The check of final states against the operator writes: each kind of loss or partial write is caught. */
class WriteLedgerTest {
    private static final String VIP = "10.200.0.1";

    private final WriteLedger ledger = new WriteLedger(VIP);

    @Test
    void acknowledgedWritesFoundPass() {
        WriteLedger.ChaosVip v = ledger.newVip();
        ledger.record(v, new VipOp.Create(reals("10.77.250.1", 5)), true);
        ledger.record(v, new VipOp.AddReal("10.77.250.2", 7), true);
        ledger.record(v, new VipOp.Reweight("10.77.250.1", 6), true);
        WriteLedger.Verdict verdict = ledger.verify("lb1", state(9001, reals("10.77.250.1", 6, "10.77.250.2", 7)));
        assertEquals(0, verdict.violations().size(), verdict.violations().toString());
        assertEquals(3, ledger.acknowledged());
    }

    @Test
    void aLostAcknowledgedWriteIsAViolation() {
        WriteLedger.ChaosVip v = ledger.newVip();
        ledger.record(v, new VipOp.Create(reals("10.77.250.1", 5)), true);
        ledger.record(v, new VipOp.Reweight("10.77.250.1", 6), true);
        WriteLedger.Verdict verdict = ledger.verify("lb2", state(9001, reals("10.77.250.1", 5)));
        assertEquals(1, verdict.violations().size());
        assertTrue(
                verdict.violations().get(0).startsWith("lb2: 10.200.0.1:9001 holds reals {10.77.250.1=5}"),
                verdict.violations().get(0));
    }

    @Test
    void aFailedWriteMayBeAppliedInFullOrNotAtAllButNotInPart() {
        WriteLedger.ChaosVip v = ledger.newVip();
        ledger.record(v, new VipOp.Create(reals("10.77.250.1", 5, "10.77.250.2", 9)), false);
        assertEquals(0, ledger.verify("lb1", new TreeMap<>()).violations().size(), "absent");
        WriteLedger.Verdict applied = ledger.verify("lb1", state(9001, reals("10.77.250.1", 5, "10.77.250.2", 9)));
        assertEquals(0, applied.violations().size(), "applied in full");
        assertEquals(1, applied.unknownApplied());
        assertEquals(
                1,
                applied.appliedFailedWrites().size(),
                applied.appliedFailedWrites().toString());
        assertEquals(
                1,
                ledger.verify("lb1", state(9001, reals("10.77.250.1", 5)))
                        .violations()
                        .size(),
                "in part");
    }

    @Test
    void aVipDeletedByAnAcknowledgedWriteMustBeGoneAndANeverWrittenOneMustNotExist() {
        WriteLedger.ChaosVip v = ledger.newVip();
        ledger.record(v, new VipOp.Create(reals("10.77.250.1", 5)), true);
        ledger.record(v, new VipOp.Delete(), true);
        assertEquals(
                1,
                ledger.verify("lb3", state(9001, reals("10.77.250.1", 5)))
                        .violations()
                        .size());
        WriteLedger.Verdict stray = ledger.verify("lb3", state(9002, reals("10.77.250.3", 1)));
        assertEquals(1, stray.violations().size());
        assertTrue(
                stray.violations().get(0).contains("never written"),
                stray.violations().get(0));
    }

    @Test
    void noWriteAfterOneOfUnknownOutcome() {
        WriteLedger.ChaosVip v = ledger.newVip();
        ledger.record(v, new VipOp.Create(reals("10.77.250.1", 5)), true);
        ledger.record(v, new VipOp.RemoveReal("10.77.250.1"), false);
        assertTrue(ledger.open().isEmpty());
        assertThrows(IllegalStateException.class, () -> ledger.record(v, new VipOp.Delete(), true));
    }

    private static SortedMap<String, Integer> reals(Object... addressWeight) {
        SortedMap<String, Integer> m = new TreeMap<>();
        for (int i = 0; i < addressWeight.length; i += 2) {
            m.put((String) addressWeight[i], (Integer) addressWeight[i + 1]);
        }
        return m;
    }

    private static SortedMap<String, SortedMap<String, Integer>> state(int port, SortedMap<String, Integer> reals) {
        SortedMap<String, SortedMap<String, Integer>> s = new TreeMap<>();
        s.put("tcp " + VIP + ":8080", reals("10.77.101.2", 1)); // a traffic VIP: not the ledger's business
        s.put("tcp " + VIP + ":" + port, reals);
        return s;
    }
}
