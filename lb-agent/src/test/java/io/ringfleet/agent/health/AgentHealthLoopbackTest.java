package io.ringfleet.agent.health;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.drain;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.undrain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.testing.Commands;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's health side end to end in one JVM: images from raft-state's real applier, the real prober on
 * real loopback sockets (SO_MARK set and ignored: the forwarder path is chaos-tests'), the reporter writing to
 * the in-JVM {@link VoteLog}. It probes what the images say, keeps probing what did not change, reports edges,
 * is silent while drained, and after a restart writes only what differs from its logged votes. Waits are
 * generous deadlines or probe counts, never timing assertions.
 */
class AgentHealthLoopbackTest {
    private static final String NODE = "lb1";
    private static final String REAL_A = "10.1.0.2";
    private static final String REAL_B = "10.1.0.3";

    private final VoteLog log = new VoteLog(NODE);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ServerSocket server;
    private int port;
    private VipKey vip;
    private AgentHealth health;

    @BeforeEach
    void start() throws IOException {
        server = AcceptingServer.listen(0);
        port = server.getLocalPort();
        vip = new VipKey(IpAddress.parse("127.0.0.1"), port, Protocol.TCP);
        log.check(vip, fast(250));
        health = newAgentHealth();
    }

    @AfterEach
    void stop() throws IOException {
        health.close();
        server.close();
    }

    private AgentHealth newAgentHealth() {
        AgentHealth h = new AgentHealth(
                NODE, log, log, HealthProber.builder(c -> {}).registry(registry).jitter(new Random(5)));
        log.subscribe(h::imageProgrammed);
        return h;
    }

    private HealthCheckSpec fast(int intervalMillis) {
        return HealthCheckSpec.tcp(port)
                .intervalMillis(intervalMillis)
                .timeoutMillis(intervalMillis / 2)
                .rise(2)
                .fall(3)
                .build();
    }

    private io.ringfleet.api.VipKey apiVip() {
        return Commands.vip("127.0.0.1", port, Commands.TCP);
    }

    private void provision() {
        log.apply(addVip(apiVip()));
        log.apply(addReals(apiVip(), REAL_A + "=1", REAL_B + "=1"));
        log.apply(setHealthCheck(7, REAL_A), setHealthCheck(8, REAL_B));
    }

    private HealthPair pair(String real) {
        return new HealthPair(vip, IpAddress.parse(real));
    }

    private Map<HealthPair, Verdict> both(Verdict v) {
        return Map.of(pair(REAL_A), v, pair(REAL_B), v);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 20 s");
            Thread.sleep(10);
        }
    }

    private void awaitVotes(Map<HealthPair, Verdict> votes) throws InterruptedException {
        await(() -> log.votesNow().equals(votes), "the log holding " + votes + " (holds " + log.votesNow() + ")");
    }

    private double upEdges() {
        Counter c = registry.find("ringfleet.health.verdict.changes")
                .tag("to", "up")
                .counter();
        return c == null ? 0 : c.count();
    }

    private long probes() {
        return registry.find("ringfleet.health.probe").timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    @Test
    void probesWhatTheImageSaysAndReportsEachEdge() throws Exception {
        provision();
        awaitVotes(both(Verdict.UP));
        assertEquals(2, health.pairsProbed());

        server.close();
        awaitVotes(both(Verdict.DOWN));

        server = AcceptingServer.listen(port);
        awaitVotes(both(Verdict.UP));
        assertEquals(
                log.written().get(log.written().size() - 1).index(),
                health.reporter().lastReportIndex());
    }

    @Test
    void aChangedSpecOrAnUnrelatedImageDoesNotRestartProbing() throws Exception {
        provision();
        awaitVotes(both(Verdict.UP));
        double upEdges = upEdges();

        log.check(vip, fast(200));
        log.apply(addVip(Commands.vip("10.0.0.9", 443, Commands.TCP)));
        long probed = probes();
        await(() -> probes() >= probed + 12, "12 more probes");

        assertEquals(upEdges, upEdges(), "a pair was restarted: it went up again");
        assertEquals(both(Verdict.UP), health.prober().verdicts());
    }

    @Test
    void aRealRemovedFromTheVipIsNoLongerProbed() throws Exception {
        provision();
        awaitVotes(both(Verdict.UP));

        log.apply(removeReals(apiVip(), REAL_B));

        assertEquals(1, health.pairsProbed());
        await(() -> health.prober().verdicts().keySet().equals(java.util.Set.of(pair(REAL_A))), "B unprobed");
    }

    @Test
    void aDrainedNodeReportsNothingUntilUndrained() throws Exception {
        provision();
        awaitVotes(both(Verdict.UP));
        int writes = log.written().size();

        log.apply(drain(NODE, "maintenance"));
        server.close();
        await(() -> health.prober().verdicts().equals(both(Verdict.DOWN)), "both down on this node");
        FleetImage undrained = log.apply(undrain(NODE));

        awaitVotes(both(Verdict.DOWN));
        assertTrue(log.written().get(writes).index() > undrained.index(), "written while drained: " + log.written());
    }

    @Test
    void afterARestartOnlyVerdictsThatDifferFromTheLogAreWritten() throws Exception {
        provision();
        server.close();
        awaitVotes(both(Verdict.DOWN));
        health.close();
        int writes = log.written().size();

        health = newAgentHealth();
        log.apply(addVip(Commands.vip("10.0.0.9", 443, Commands.TCP))); // the restarted node's first image
        await(() -> health.prober().verdicts().equals(both(Verdict.DOWN)), "settled down again");
        server = AcceptingServer.listen(port);
        awaitVotes(both(Verdict.UP));

        assertTrue(
                log.written().subList(writes, log.written().size()).stream()
                        .allMatch(w -> w.votes().values().stream().allMatch(v -> v == Verdict.UP)),
                "the restarted node wrote its settled down votes again: " + log.written());
    }
}
