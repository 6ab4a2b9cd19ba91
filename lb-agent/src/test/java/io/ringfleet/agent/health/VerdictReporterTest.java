package io.ringfleet.agent.health;

import static io.ringfleet.state.testing.Commands.drain;
import static io.ringfleet.state.testing.Commands.undrain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthPair;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reporter against an in-JVM log (raft-state's applier, votes per index): it writes what the log does not
 * hold, retries until acknowledged, stays silent while drained, and never writes the same vote twice because an
 * image lagged. "Nothing was written" is shown by order, not by waiting: the next write must be exactly the next
 * change. Waits are generous deadlines, never timing assertions.
 */
class VerdictReporterTest {
    private static final String NODE = "lb1";
    private static final VipKey VIP = new VipKey(IpAddress.parse("10.0.0.1"), 80, Protocol.TCP);
    private static final HealthPair A = new HealthPair(VIP, IpAddress.parse("10.1.0.2"));
    private static final HealthPair B = new HealthPair(VIP, IpAddress.parse("10.1.0.3"));
    private static final HealthPair C = new HealthPair(VIP, IpAddress.parse("10.1.0.4"));
    private static final TreeSet<HealthPair> PROBED = new TreeSet<>(List.of(A, B, C));

    private final VoteLog log = new VoteLog(NODE);
    private final Map<HealthPair, Verdict> mine = new ConcurrentHashMap<>();
    private final VerdictReporter reporter = new VerdictReporter(NODE, log, () -> Map.copyOf(mine));

    @AfterEach
    void close() {
        reporter.close();
    }

    private LogView view(FleetImage image) {
        return new LogView(image.index(), image.nodes().isDrained(NODE), log.votes(image, NODE), PROBED);
    }

    private void feedImages() {
        log.subscribe(image -> reporter.logApplied(view(image)));
    }

    private static SortedMap<HealthPair, Verdict> votes(Object... pairThenVerdict) {
        TreeMap<HealthPair, Verdict> m = new TreeMap<>();
        for (int i = 0; i < pairThenVerdict.length; i += 2) {
            m.put((HealthPair) pairThenVerdict[i], (Verdict) pairThenVerdict[i + 1]);
        }
        return m;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 20 s");
            Thread.sleep(10);
        }
    }

    private VoteLog.Written awaitWrite(int n) throws InterruptedException {
        await(() -> log.written().size() >= n, n + " write(s)");
        return log.written().get(n - 1);
    }

    private void change(HealthPair pair, Verdict to) {
        Verdict from = mine.getOrDefault(pair, Verdict.UNKNOWN);
        mine.put(pair, to);
        reporter.verdictChanged(new VerdictChange(pair, from, to, "test", 1));
    }

    @Test
    void writesOnlySettledVerdictsTheLogDoesNotHoldAsOneBatch() throws Exception {
        log.write(votes(C, Verdict.DOWN)).join(); // the log already holds C down
        feedImages();
        mine.putAll(Map.of(A, Verdict.UP, B, Verdict.UNKNOWN, C, Verdict.DOWN));

        reporter.logApplied(view(log.image()));

        assertEquals(votes(A, Verdict.UP), awaitWrite(2).votes());
        change(B, Verdict.DOWN);
        assertEquals(votes(B, Verdict.DOWN), awaitWrite(3).votes(), "only the new edge is written");
        assertEquals(votes(A, Verdict.UP, B, Verdict.DOWN, C, Verdict.DOWN), log.votesNow());
        assertEquals(log.written().get(2).index(), reporter.lastReportIndex());
    }

    @Test
    void aFailedWriteIsRetriedUntilAcknowledged() throws Exception {
        feedImages();
        log.failNext(3);
        mine.put(A, Verdict.DOWN);

        reporter.logApplied(view(log.image()));

        assertEquals(votes(A, Verdict.DOWN), awaitWrite(1).votes());
        assertEquals(3, reporter.failures());
        assertEquals(1, reporter.writes());
    }

    @Test
    void aDrainedNodeWritesNothingAndWritesWhatChangedOnUndrain() throws Exception {
        feedImages();
        FleetImage drained = log.apply(drain(NODE, "maintenance"));
        change(A, Verdict.DOWN);
        change(B, Verdict.UP);
        change(B, Verdict.DOWN);

        FleetImage undrained = log.apply(undrain(NODE));

        VoteLog.Written first = awaitWrite(1);
        assertTrue(
                first.index() > undrained.index(),
                "written at " + first.index() + ", drained at " + drained.index() + ", undrained at "
                        + undrained.index());
        assertEquals(votes(A, Verdict.DOWN, B, Verdict.DOWN), first.votes());
    }

    @Test
    void afterARestartOnlyVerdictsThatDifferFromTheLoggedVotesAreWritten() throws Exception {
        log.write(votes(A, Verdict.DOWN, B, Verdict.UP)).join(); // written before the restart
        feedImages();
        mine.putAll(Map.of(A, Verdict.DOWN, B, Verdict.DOWN));

        reporter.logApplied(view(log.image()));

        assertEquals(votes(B, Verdict.DOWN), awaitWrite(2).votes());
    }

    @Test
    void anImageOlderThanTheAcknowledgedWriteDoesNotMakeItWriteAgain() throws Exception {
        FleetImage before = log.image(); // images are fed by hand here: the ack arrives before its image
        mine.put(A, Verdict.DOWN);
        reporter.logApplied(view(before));
        VoteLog.Written first = awaitWrite(1);

        change(B, Verdict.DOWN); // the reporter still sees only the image before its write
        reporter.logApplied(view(log.image()));

        assertEquals(votes(B, Verdict.DOWN), awaitWrite(2).votes(), "A written twice: " + log.written());
        assertTrue(log.written().get(1).index() > first.index());
    }
}
