package io.ringfleet.chaos.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ringfleet.agent.datapath.BalancerDatapath;
import io.ringfleet.agent.datapath.DatapathConfig;
import io.ringfleet.agent.datapath.MapProgrammer;
import io.ringfleet.agent.health.HealthProber;
import io.ringfleet.agent.health.ProbeTarget;
import io.ringfleet.agent.health.Verdict;
import io.ringfleet.agent.health.VerdictChange;
import io.ringfleet.api.Command;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.chaos.netns.BackendDecap;
import io.ringfleet.chaos.netns.EchoServer;
import io.ringfleet.chaos.netns.LocalFleetLog;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The health prober through the real health-check path, in two namespaces joined by a veth:
 *
 * <ul>
 *   <li>"lb": lb-agent's {@link BalancerDatapath} with the tc health-check forwarder on {@code hl0}'s egress,
 *       hc_reals programmed by lb-agent's {@link MapProgrammer} from a {@code SetHealthCheckDst} (mark 1 → the
 *       backend), hc_ctl's destination MAC = the backend's. Its route to the VIP points at a gateway whose MAC
 *       no host has, so a packet the forwarder does not encapsulate (no mark, or a mark without destination)
 *       never reaches the backend's stack: only the forwarder's IPIP frames carry the backend's MAC.
 *   <li>"be": the backend: chaos-tests' XDP decap on {@code hb0}, the VIP on {@code lo}, servers bound to the
 *       VIP; it answers as the VIP, straight to the LB.
 * </ul>
 *
 * The prober's event loop runs in "lb". Intervals are short to keep the test quick; every wait is a generous
 * deadline. Needs root (namespaces, BPF, tc): run it under the kernel lock.
 */
class HealthProberNetnsTest {
    private static final InetAddress VIP = address("10.91.1.1");
    private static final Inet4Address LB_ADDRESS = (Inet4Address) address("10.91.0.1");
    private static final IpAddress REAL = IpAddress.parse("10.91.0.2");
    private static final String BACKEND_MAC = "02:00:00:00:91:02";
    private static final int MARK = 1;
    private static final int MARK_WITHOUT_DESTINATION = 99;
    private static final int DEADLINE_SECONDS = 30;

    private static NetNs lb;
    private static NetNs be;
    private static BalancerDatapath datapath;
    private static BackendDecap decap;

    private final BlockingQueue<VerdictChange> changes = new LinkedBlockingQueue<>();
    private HealthProber prober;

    @BeforeAll
    static void setUp() {
        lb = NetNs.create("rfhpl");
        be = NetNs.create("rfhpb");
        NetNs.vethPair(lb, "hl0", be, "hb0");
        be.ip("link", "set", "hb0", "address", BACKEND_MAC);
        lb.ip("addr", "add", LB_ADDRESS.getHostAddress() + "/24", "dev", "hl0");
        be.ip("addr", "add", REAL + "/24", "dev", "hb0");
        be.ip("addr", "add", VIP.getHostAddress() + "/32", "dev", "lo");
        // the VIP's next hop on the LB: a MAC nobody has, so only encapsulated probes reach the backend
        lb.ip("neigh", "add", "10.91.0.9", "lladdr", "02:00:00:00:91:09", "dev", "hl0", "nud", "permanent");
        lb.ip("route", "add", VIP.getHostAddress() + "/32", "via", "10.91.0.9", "dev", "hl0");

        datapath = BalancerDatapath.open(DatapathConfig.builder()
                .maxVips(4)
                .maxReals(16)
                .maxHealthCheckDsts(4)
                .fallbackConnTableOnly()
                .healthCheck(true)
                .build());
        lb.run(() -> datapath.attachHealthCheck("hl0"));
        datapath.setHealthCheckControl(
                new HcCtl(LB_ADDRESS, null, 0, null, HexFormat.ofDelimiter(":").parseHex(BACKEND_MAC)));
        LocalFleetLog log = new LocalFleetLog(FleetLimits.builder()
                .maxVips(4)
                .maxReals(16)
                .maxHealthCheckDsts(4)
                .build());
        MapProgrammer.builder(datapath)
                .build()
                .program(log.submit(
                        "hc",
                        List.of(Command.newBuilder()
                                .setSetHealthCheckDst(SetHealthCheckDst.newBuilder()
                                        .setSomark(MARK)
                                        .setAddress(REAL.toString()))
                                .build())));
        decap = BackendDecap.attach(be, "hb0");
    }

    @AfterAll
    static void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {decap, datapath, be, lb}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("teardown: " + c + ": " + e);
            }
        }
    }

    @AfterEach
    void stopProber() {
        if (prober != null) {
            prober.close();
        }
    }

    /** The event loop's thread enters "lb" first, so every probe socket is opened there. */
    private static ThreadFactory inLb() {
        return task -> new Thread(() -> lb.run(task), "health-prober-outer");
    }

    private void startProber(ProbeTarget... targets) {
        prober = HealthProber.builder(changes::add).threadFactory(inLb()).build();
        prober.update(List.of(targets));
    }

    private static HealthPair pair(int port) {
        return new HealthPair(new VipKey(IpAddress.fromBytes(VIP.getAddress()), port, Protocol.TCP), REAL);
    }

    private static HealthCheckSpec.Builder quick(HealthCheckSpec.Builder b) {
        return b.intervalMillis(400).timeoutMillis(300).rise(2).fall(3);
    }

    private VerdictChange next() throws InterruptedException {
        VerdictChange c = changes.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertNotNull(c, "no verdict change within " + DEADLINE_SECONDS + " s");
        return c;
    }

    @Test
    void aTcpRealIsUpGoesDownAfterFallWhenItsServerStopsAndComesBackAfterRise() throws Exception {
        int port = 8080;
        EchoServer server = EchoServer.start(be, "be1", List.of(VIP), port);
        long decapsulatedBefore = decap.decapsulated(0);
        startProber(new ProbeTarget(
                pair(port), MARK, quick(HealthCheckSpec.tcp(port)).build()));
        VerdictChange up = next();
        assertEquals(Verdict.UP, up.to(), up::toString);
        assertEquals(2, up.streak());
        assertTrue(decap.decapsulated(0) > decapsulatedBefore, "the probes reached the backend as IPIP");

        server.close();
        VerdictChange down = next();
        assertEquals(Verdict.DOWN, down.to(), down::toString);
        assertEquals(3, down.streak());

        EchoServer again = EchoServer.start(be, "be1", List.of(VIP), port);
        try {
            VerdictChange back = next();
            assertEquals(Verdict.DOWN, back.from());
            assertEquals(Verdict.UP, back.to(), back::toString);
        } finally {
            again.close();
        }
    }

    @Test
    void anHttpRealIsDownWhileItAnswersAnotherStatus() throws Exception {
        int port = 8081;
        AtomicInteger status = new AtomicInteger(200);
        HttpServer http = be.call(() -> HttpServer.create(new InetSocketAddress(VIP, port), 50));
        http.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        http.start();
        try {
            startProber(new ProbeTarget(
                    pair(port),
                    MARK,
                    quick(HealthCheckSpec.http(port)).path("/healthz").build()));
            VerdictChange up = next();
            assertEquals(Verdict.UP, up.to(), up::toString);
            status.set(503);
            VerdictChange down = next();
            assertEquals(Verdict.DOWN, down.to(), down::toString);
            assertEquals("status 503, expected 200", down.reason());
            status.set(200);
            assertEquals(Verdict.UP, next().to());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aProbeWhoseMarkHasNoDestinationNeverReachesTheReal() throws Exception {
        int port = 8082;
        try (EchoServer server = EchoServer.start(be, "be1", List.of(VIP), port)) {
            long segmentsBefore = backendTcpSegmentsIn();
            long decapsulatedBefore = decap.decapsulated(0);
            startProber(new ProbeTarget(
                    pair(port),
                    MARK_WITHOUT_DESTINATION,
                    quick(HealthCheckSpec.tcp(port)).build()));
            VerdictChange down = next();
            assertEquals(Verdict.UNKNOWN, down.from());
            assertEquals(Verdict.DOWN, down.to(), down::toString);
            assertEquals(segmentsBefore, backendTcpSegmentsIn(), "a TCP segment reached the backend's stack");
            assertEquals(decapsulatedBefore, decap.decapsulated(0), "an unmapped probe was encapsulated");

            // control: the same server, probed with the mapped mark, is reached and up
            prober.update(List.of(new ProbeTarget(
                    pair(port), MARK, quick(HealthCheckSpec.tcp(port)).build())));
            assertEquals(Verdict.UP, next().to());
            assertTrue(backendTcpSegmentsIn() > segmentsBefore, "the mapped probes reached the backend's stack");
        }
    }

    /** Tcp InSegs of the backend's namespace (/proc/net/snmp read inside it). */
    private static long backendTcpSegmentsIn() {
        String[] lines = be.exec("cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Tcp:") && lines[i + 1].startsWith("Tcp:")) {
                List<String> names = List.of(lines[i].trim().split("\\s+"));
                return Long.parseLong(lines[i + 1].trim().split("\\s+")[names.indexOf("InSegs")]);
            }
        }
        throw new IllegalStateException("no Tcp lines in the backend's /proc/net/snmp");
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByAddress(IpAddress.parse(text).bytes());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
