package io.ringfleet.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The prober against real servers on loopback, real sockets with SO_MARK (no forwarder: the mark is set and
 * ignored): edges after rise and fall, only edges reported, HTTP status checks, metrics. Short intervals keep
 * it quick; every wait is a generous deadline, never a timing assertion. The forwarder path is chaos-tests'
 * {@code HealthProberNetnsTest}.
 */
class HealthProberLoopbackTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int DEADLINE_SECONDS = 20;

    private final BlockingQueue<VerdictChange> changes = new LinkedBlockingQueue<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private HealthProber prober;

    @BeforeEach
    void start() {
        prober = HealthProber.builder(changes::add)
                .registry(registry)
                .jitter(new Random(3))
                .build();
    }

    @AfterEach
    void stop() {
        prober.close();
    }

    private static HealthPair pair(int port, String real) {
        return new HealthPair(new VipKey(IpAddress.parse("127.0.0.1"), port, Protocol.TCP), IpAddress.parse(real));
    }

    private static HealthCheckSpec.Builder fast(HealthCheckSpec.Builder b) {
        return b.intervalMillis(250).timeoutMillis(200).rise(2).fall(3);
    }

    private VerdictChange next() throws InterruptedException {
        VerdictChange c = changes.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertNotNull(c, "no verdict change within " + DEADLINE_SECONDS + " s");
        return c;
    }

    private long probes(String kind) {
        return registry.find("ringfleet.health.probe").tag("kind", kind).timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    private void awaitProbes(String kind, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (probes(kind) < atLeast) {
            assertTrue(System.nanoTime() < deadline, "fewer than " + atLeast + " probes within the deadline");
            Thread.sleep(20);
        }
    }

    private double state(HealthPair p) {
        return registry.get("ringfleet.health.pair.state")
                .tag("vip", p.vip().toString())
                .tag("real", p.real().toString())
                .gauge()
                .value();
    }

    @Test
    void aTcpRealGoesDownAfterFallAndComesBackAfterRise() throws Exception {
        ServerSocket server = AcceptingServer.listen(0);
        int port = server.getLocalPort();
        HealthPair pair = pair(port, "10.1.0.2");
        prober.update(
                List.of(new ProbeTarget(pair, 7, fast(HealthCheckSpec.tcp(port)).build())));

        VerdictChange up = next();
        assertEquals(Verdict.UNKNOWN, up.from());
        assertEquals(Verdict.UP, up.to());
        assertEquals(2, up.streak());
        assertEquals(1.0, state(pair));

        server.close();
        VerdictChange down = next();
        assertEquals(Verdict.DOWN, down.to());
        assertEquals(3, down.streak());
        assertTrue(down.reason().startsWith("connect:"), down.reason());
        assertEquals(0.0, state(pair));

        ServerSocket again = AcceptingServer.listen(port);
        try {
            VerdictChange back = next();
            assertEquals(Verdict.DOWN, back.from());
            assertEquals(Verdict.UP, back.to());
            assertEquals(Verdict.UP, prober.verdict(pair).orElseThrow());
        } finally {
            again.close();
        }
    }

    @Test
    void onlyChangesAreReportedNotProbes() throws Exception {
        try (ServerSocket server = AcceptingServer.listen(0)) {
            int port = server.getLocalPort();
            prober.update(List.of(
                    new ProbeTarget(
                            pair(port, "10.1.0.2"),
                            7,
                            fast(HealthCheckSpec.tcp(port)).build()),
                    new ProbeTarget(
                            pair(port, "10.1.0.3"),
                            8,
                            fast(HealthCheckSpec.tcp(port)).build())));
            next();
            next();
            long probesAfterUp = probes("tcp");
            awaitProbes("tcp", probesAfterUp + 12);
            assertNull(changes.poll(), "a steady verdict reported again");
        }
    }

    @Test
    void anHttpCheckComparesTheStatus() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger requests = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
        http.createContext("/healthz", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        http.start();
        try {
            int port = http.getAddress().getPort();
            HealthPair pair = pair(port, "10.1.0.4");
            prober.update(List.of(new ProbeTarget(
                    pair, 9, fast(HealthCheckSpec.http(port)).path("/healthz").build())));
            VerdictChange up = next();
            assertEquals(Verdict.UP, up.to(), up::toString);

            status.set(503);
            VerdictChange down = next();
            assertEquals(Verdict.DOWN, down.to());
            assertEquals("status 503, expected 200", down.reason());

            status.set(200);
            assertEquals(Verdict.UP, next().to());
            assertTrue(requests.get() >= 2 + 3 + 2, "every probe sent a request: " + requests.get());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aRemovedPairStopsAndLeavesNoMetric() throws Exception {
        try (ServerSocket server = AcceptingServer.listen(0)) {
            int port = server.getLocalPort();
            HealthPair pair = pair(port, "10.1.0.5");
            prober.update(List.of(
                    new ProbeTarget(pair, 7, fast(HealthCheckSpec.tcp(port)).build())));
            next();
            prober.update(List.of());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
            while (prober.verdict(pair).isPresent()) {
                assertTrue(System.nanoTime() < deadline, "the pair was not removed");
                Thread.sleep(10);
            }
            assertTrue(registry.find("ringfleet.health.pair.state").gauges().stream()
                    .map(Gauge::getId)
                    .noneMatch(id -> pair.real().toString().equals(id.getTag("real"))));
        }
    }

    @Test
    void twoChecksOfOnePairAreRefusedWhole() {
        HealthPair pair = pair(80, "10.1.0.6");
        HealthCheckSpec spec = HealthCheckSpec.tcp(80).build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> prober.update(List.of(new ProbeTarget(pair, 1, spec), new ProbeTarget(pair, 2, spec))));
        assertEquals("two health checks for " + pair + ": one per (VIP, real)", e.getMessage());
        assertTrue(prober.verdicts().isEmpty());
    }

    @Test
    void anUnmarkedTargetIsRefused() {
        HealthPair pair = pair(80, "10.1.0.7");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ProbeTarget(pair, 0, HealthCheckSpec.tcp(80).build()));
        assertTrue(e.getMessage().startsWith("a probe's SO_MARK must not be 0"), e.getMessage());
    }
}
