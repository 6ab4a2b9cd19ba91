package io.ringfleet.agent.daemon;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.modifyFlags;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.cli.LbctlRunner;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.UndrainNode;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.katran.OneRealForVip;
import io.ringfleet.api.katran.RealWithWeight;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipWithFlags;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.Tc;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.VipFlags;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three {@link LbAgent}s in this JVM, started from a fleet config file: real Ratis peers on loopback sockets with
 * mutual TLS, API servers with mutual TLS, real BPF objects in the kernel (pinned in their own bpffs dirs). lb1
 * is not attached; lb2's balancer is attached standalone (driver mode) to a veth named lb2 inside a namespace
 * made here, with the tc health-check forwarder on its egress; lb3 is shared: its agent installs xdp_root on a
 * veth named lb3 in the same namespace and takes slot 1. lb1 has a route hook that records its arguments.
 * Changes go through the agents' gRPC APIs and are checked in the kernel maps of every node. The restart test
 * runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentFleetTest {
    static final VipKey WEB = vip("10.200.0.1", 80, TCP);
    static final VipKey QUIC = vip("10.200.0.2", 443, UDP);
    static Path hookDir;
    static Path hookOut;
    static NetNs lbns;
    static NetNs peerns;
    static AgentFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        hookDir = Files.createTempDirectory("ringfleet-route-hook-");
        hookOut = hookDir.resolve("calls.txt");
        Path hook = hookDir.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + hookOut + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        lbns = NetNs.create("rfag");
        peerns = NetNs.create("rfap");
        NetNs.vethPair(lbns, "lb2", peerns, "peer0");
        NetNs.vethPair(lbns, "lb3", peerns, "peer1");
        fleet = new AgentFleet(
                TestPki.shared(),
                List.of("lb1", "lb2", "lb3"),
                8,
                Map.of(
                        "lb1",
                        "    route-hook: " + hook,
                        "lb3",
                        "    attach-mode: shared\n    root-array-pin: ${pins}/xdp_root/root_array\n    root-slot: 1"));
        fleet.options("lb2", b -> b.attach(true).attachNamespace(lbns));
        fleet.options("lb3", b -> b.attach(true).attachNamespace(lbns));
        fleet.startAll(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
        if (lbns != null) {
            lbns.close();
        }
        if (peerns != null) {
            peerns.close();
        }
        AgentFleet.deleteTree(hookDir);
    }

    static ApplyResponse applyEverywhere(String via, Command... commands) throws Exception {
        ApplyResponse r = fleet.control(via, "alice")
                .apply(ApplyRequest.newBuilder()
                        .addAllCommands(List.of(commands))
                        .setWaitProgrammedFleetWide(true)
                        .setWaitTimeoutMs(30_000)
                        .build());
        assertFalse(r.getProgrammed().getTimedOut(), "fleet-wide wait timed out: " + r.getProgrammed());
        return r;
    }

    static Map<String, SortedMap<String, String>> dumps() {
        Map<String, SortedMap<String, String>> out = new TreeMap<>();
        for (LbAgent a : fleet.running()) {
            out.put(a.nodeId(), MapDump.of(a.datapath()));
        }
        return out;
    }

    /** Every running node's maps hold the same entries; returns them. */
    static SortedMap<String, String> assertSameMaps() {
        Map<String, SortedMap<String, String>> d = dumps();
        SortedMap<String, String> first = d.values().iterator().next();
        d.forEach((id, dump) -> assertEquals(
                first, dump, id + "'s maps differ from " + d.keySet().iterator().next()));
        return first;
    }

    static long count(SortedMap<String, String> dump, String map) {
        return dump.keySet().stream().filter(k -> k.startsWith(map + "/")).count();
    }

    static List<String> hookCalls() throws Exception {
        return Files.exists(hookOut) ? Files.readAllLines(hookOut) : List.of();
    }

    static void awaitHookCall(String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<String> calls = hookCalls();
            if (!calls.isEmpty() && calls.get(calls.size() - 1).equals(line)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("route hook never called with \"" + line + "\"; calls: " + calls);
            }
            Thread.sleep(20);
        }
    }

    @Test
    @Order(1)
    void everyNodeIsReadyHealthyAndAnnouncesOnceReady() throws Exception {
        for (String id : List.of("lb1", "lb2", "lb3")) {
            HttpResponse<String> ready = fleet.get(id, "/readyz");
            assertEquals(200, ready.statusCode(), id + ": " + ready.body());
            assertTrue(ready.body().startsWith("ok: programmed index"), ready.body());
            assertEquals(200, fleet.get(id, "/healthz").statusCode());
            assertEquals(404, fleet.get(id, "/nothing").statusCode());
        }
        awaitHookCall("announce");
        awaitVersionsReported();
        LbAgent lb2 = fleet.agent("lb2");
        int xdp = lbns.call(() -> Xdp.attachedId(Xdp.ifindex("lb2"), Xdp.Mode.DRIVER));
        assertEquals(lb2.datapath().program().id(), xdp, "lb2's balancer is the veth's XDP program");

        // lb3 is shared: its agent installed xdp_root on its veth and put the balancer into slot 1
        Path rootArray = fleet.pins.resolve("xdp_root/root_array");
        try (BpfProgram root = BpfProgram.openPinned(fleet.pins.resolve("xdp_root/" + SharedXdpRoot.PROGRAM_PIN));
                BpfMap array = BpfMap.openPinned(rootArray)) {
            assertEquals(root.id(), (int) lbns.call(() -> Xdp.attachedId(Xdp.ifindex("lb3"), Xdp.Mode.DRIVER)));
            assertEquals(
                    fleet.agent("lb3").datapath().program().id(),
                    BpfMap.u32(array.lookup(BpfMap.u32(1)).orElseThrow()));
        }
    }

    /** Each agent's start commands (the bootstrap if absent, its software's version) land in the log. */
    private void awaitVersionsReported() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String id : List.of("lb1", "lb2", "lb3")) {
            while (!fleet.agent("lb1")
                    .image()
                    .settings()
                    .nodeVersion(id)
                    .equals(Optional.of(FleetVersions.SUPPORTED))) {
                assertTrue(
                        System.nanoTime() < deadline,
                        id + "'s version is not in lb1's image: "
                                + fleet.agent("lb1").image().settings());
                Thread.sleep(20);
            }
        }
    }

    @Test
    @Order(2)
    void aChangeThroughNode1IsProgrammedIdenticallyOnEveryNode() throws Exception {
        ApplyResponse r = applyEverywhere(
                "lb1",
                setMac("02:00:00:00:00:aa"),
                addVip(WEB),
                addReals(WEB, "10.0.0.1=1", "10.0.0.2=2", "10.0.0.3=1"),
                addVip(QUIC),
                modifyFlags(QUIC, VipFlags.QUIC_VIP, 0),
                addReals(QUIC, "10.0.0.4=1", "fc00::5=1"),
                mapQuic("1001=10.0.0.4"),
                setHealthCheck(7, "10.0.0.1"));
        assertEquals(3, r.getProgrammed().getNodesProgrammed());
        for (LbAgent a : fleet.running()) {
            assertTrue(a.pipeline().programmedIndex() >= r.getLogIndex(), a.nodeId());
        }
        SortedMap<String, String> maps = assertSameMaps();
        assertEquals(2, count(maps, "vip_map"));
        assertEquals(5, count(maps, "reals"));
        assertEquals(2, count(maps, "ch_rings"));
        assertEquals(1, count(maps, "quic_ids"));
        assertEquals(1, count(maps, "hc_reals"));

        GetStatusResponse status = fleet.control("lb3", "bob")
                .getStatus(GetStatusRequest.newBuilder().setFleetWide(true).build());
        assertEquals(3, status.getNodesCount());
        NodeStatus first = status.getNodes(0);
        for (NodeStatus n : status.getNodesList()) {
            assertTrue(n.getLive(), n.toString());
            assertTrue(n.getProgrammedIndex() >= r.getLogIndex(), n.toString());
            assertFalse(n.getRingsDigest().isEmpty(), n.toString());
            if (n.getProgrammedIndex() == first.getProgrammedIndex()) {
                assertEquals(first.getRingsDigest(), n.getRingsDigest(), n.getNodeId() + " programmed other rings");
            }
        }
    }

    @Test
    @Order(3)
    void katranServiceWritesReachEveryNodesMaps() throws Exception {
        VipId vip = VipId.newBuilder()
                .setAddress("10.200.0.3")
                .setPort(8080)
                .setProtocol(6)
                .build();
        var katran = fleet.katran("lb1", "alice");
        assertTrue(katran.addVip(VipWithFlags.newBuilder().setVip(vip).build()).getSuccess());
        assertTrue(katran.addRealForVip(OneRealForVip.newBuilder()
                        .setVip(vip)
                        .setReal(RealWithWeight.newBuilder()
                                .setAddress("10.0.0.7")
                                .setWeight(5))
                        .build())
                .getSuccess());
        fleet.awaitProgrammed(fleet.agent("lb1").image().index(), Duration.ofSeconds(30));
        SortedMap<String, String> maps = assertSameMaps();
        assertEquals(3, count(maps, "vip_map"));
        assertEquals(3, count(maps, "ch_rings"));
        assertEquals(6, count(maps, "reals"));
    }

    @Test
    @Order(4)
    void lbctlWritesThroughOneAgentAndWaitsUntilEveryAgentProgrammed() throws Exception {
        LbctlRunner lbctl = new LbctlRunner(fleet.target("lb3"), fleet.pki.ca(), fleet.pki.dir);
        LbctlRunner.Result add =
                lbctl.as("alice", "real", "add", "tcp", "10.200.0.3:8080", "10.0.0.8", "-w", "2", "--wait");
        assertEquals(0, add.exit(), add.toString());
        assertTrue(add.out().contains("programmed: 3/3 live nodes"), add.toString());
        LbctlRunner.Result status = lbctl.as("bob", "status", "-o", "json");
        assertEquals(0, status.exit(), status.toString());
        for (String id : List.of("lb1", "lb2", "lb3")) {
            assertTrue(status.out().contains("\"node_id\":\"" + id + "\""), status.toString());
        }
        SortedMap<String, String> maps = assertSameMaps();
        assertEquals(7, count(maps, "reals"));
    }

    @Test
    @Order(5)
    void badInputIsRejectedWithCodeAndMessageAndChangesNoMaps() throws Exception {
        Map<String, SortedMap<String, String>> before = dumps();
        var operator = fleet.control("lb1", "alice");
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {Status.Code.INVALID_ARGUMENT, new Command[] {addVip(vip("10.200.0.300", 80, TCP))}});
        cases.add(new Object[] {
            Status.Code.NOT_FOUND, new Command[] {addReals(vip("10.200.9.9", 80, TCP), "10.0.0.9=1")}
        });
        cases.add(new Object[] {Status.Code.INVALID_ARGUMENT, new Command[] {setWeights(WEB, "10.0.0.1=70000")}});
        cases.add(new Object[] {Status.Code.ALREADY_EXISTS, new Command[] {addVip(WEB)}});
        Command[] oversize = new Command[1001];
        for (int i = 0; i < oversize.length; i++) {
            oversize[i] = setWeights(WEB, "10.0.0.1=1");
        }
        cases.add(new Object[] {Status.Code.INVALID_ARGUMENT, oversize});
        // a batch with one bad command applies none of it
        cases.add(new Object[] {
            Status.Code.NOT_FOUND, new Command[] {addReals(WEB, "10.0.0.8=1"), setWeights(WEB, "10.9.9.9=1")}
        });
        for (Object[] c : cases) {
            Command[] commands = (Command[]) c[1];
            StatusRuntimeException e = assertThrows(
                    StatusRuntimeException.class,
                    () -> operator.apply(ApplyRequest.newBuilder()
                            .addAllCommands(List.of(commands))
                            .build()),
                    c[0].toString());
            assertEquals(c[0], e.getStatus().getCode(), e.getStatus().toString());
            String message = e.getStatus().getDescription();
            assertTrue(
                    message != null && !message.isBlank() && !message.contains("\n"), "one-line message: " + message);
        }
        StatusRuntimeException denied = assertThrows(
                StatusRuntimeException.class,
                () -> fleet.control("lb2", "bob")
                        .apply(ApplyRequest.newBuilder()
                                .addCommands(addVip(vip("10.200.0.9", 80, TCP)))
                                .build()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        // Katran's API refuses a write as Katran's server does: CANCELLED, here with the one-line reason
        StatusRuntimeException refused = assertThrows(
                StatusRuntimeException.class,
                () -> fleet.katran("lb3", "alice")
                        .addVip(VipWithFlags.newBuilder()
                                .setVip(VipId.newBuilder()
                                        .setAddress("not-an-ip")
                                        .setPort(1)
                                        .setProtocol(6))
                                .build()));
        assertEquals(Status.Code.CANCELLED, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("not-an-ip"), refused.getMessage());

        fleet.awaitProgrammed(fleet.appliedIndex(), Duration.ofSeconds(30));
        assertEquals(before, dumps(), "a rejected change moved some node's maps");
    }

    @Test
    @Order(6)
    void metricsAreScrapeableWithPerVipCountersAfterTraffic() throws Exception {
        LbAgent lb1 = fleet.agent("lb1");
        Inet4Address client = (Inet4Address) InetAddress.getByName("192.0.2.10");
        Inet4Address vip = (Inet4Address) InetAddress.getByName("10.200.0.1");
        for (int port = 40000; port < 40005; port++) {
            TestRun.Result r = lb1.datapath()
                    .program()
                    .testRun(TestRun.of(Frames.tcp4(client, vip, port, 80, Frames.TCP_SYN))
                            .dataOutCapacity(256));
            assertEquals(3, r.retval(), "XDP_TX: forwarded to a real");
        }
        Thread.sleep(600); // the counter maps are read at most twice a second
        HttpResponse<String> m = fleet.get("lb1", "/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = m.body();
        assertEquals(5.0, metric(text, "ringfleet_vip_packets_total", "vip=\"10.200.0.1\""), text);
        assertTrue(metric(text, "ringfleet_vip_bytes_total", "vip=\"10.200.0.1\"") >= 5 * 54);
        assertEquals(0.0, metric(text, "ringfleet_vip_packets_total", "vip=\"10.200.0.2\""));
        double toReals = 0;
        for (String real : List.of("10.0.0.1", "10.0.0.2", "10.0.0.3")) {
            toReals += metric(text, "ringfleet_real_packets_total", "real=\"" + real + "\"");
        }
        assertEquals(5.0, toReals);
        assertEquals(5.0, metric(text, "ringfleet_lru_misses_total", "kind=\"tcp_syn\""));
        assertEquals(5.0, metric(text, "ringfleet_xdp_packets_total", "action=\"tx\""));
        assertEquals(
                lb1.pipeline().programmedIndex(), (long) metric(text, "ringfleet_programmed_index", "node=\"lb1\""));
        assertTrue(metric(text, "ringfleet_raft_term", "node=\"lb1\"") >= 1);
        assertTrue(metric(text, "ringfleet_raft_commit_index", "node=\"lb1\"")
                >= lb1.pipeline().programmedIndex());
        assertTrue(metric(text, "ringfleet_raft_applied_index", "node=\"lb1\"")
                >= lb1.pipeline().programmedIndex());
        double roles = 0;
        for (String role : List.of("leader", "follower", "candidate", "listener")) {
            roles += metric(text, "ringfleet_raft_role", "role=\"" + role + "\"");
        }
        assertEquals(1.0, roles, "exactly one role is 1");
        assertEquals(1.0, metric(text, "ringfleet_ready", "node=\"lb1\""));
        assertTrue(metric(text, "ringfleet_programming_lag_seconds_count", "node=\"lb1\"") >= 1);
        assertTrue(text.contains("ringfleet_programming_seconds_bucket{"), "programming latency histogram");
        assertTrue(text.contains("ringfleet_icmp_total{"), "ICMP counters");
        assertTrue(text.contains("ringfleet_fallback_hits_total{"), "fallback hits");
    }

    /** The value of the one sample of {@code name} whose labels contain {@code label}. */
    static double metric(String text, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
                .matcher(text);
        List<Double> found = new ArrayList<>();
        while (m.find()) {
            if (m.group(1).contains(label)) {
                found.add(Double.parseDouble(m.group(2)));
            }
        }
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " with " + label + " in:\n" + text);
        }
        return found.get(0);
    }

    /** The hook's output is written before its exit is seen: wait for the announcer to record the call. */
    static void awaitAnnouncing(boolean announcing) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fleet.agent("lb1").announcer().announcing() != announcing) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("lb1's announcer never recorded announcing = " + announcing);
            }
            Thread.sleep(10);
        }
    }

    @Test
    @Order(7)
    void drainRunsTheRouteHookWithWithdrawAndUndrainWithAnnounce() throws Exception {
        String vips = "10.200.0.1 10.200.0.2 10.200.0.3";
        awaitHookCall("announce " + vips);
        awaitAnnouncing(true);
        applyEverywhere(
                "lb2",
                Command.newBuilder()
                        .setDrainNode(DrainNode.newBuilder().setNodeId("lb1").setReason("maintenance"))
                        .build());
        awaitHookCall("withdraw " + vips);
        awaitAnnouncing(false);
        NodeStatus lb1 = fleet.control("lb1", "bob")
                .getStatus(GetStatusRequest.getDefaultInstance())
                .getSelf();
        assertTrue(lb1.getDrained());
        assertFalse(lb1.getAnnouncing());
        applyEverywhere(
                "lb3",
                Command.newBuilder()
                        .setUndrainNode(UndrainNode.newBuilder().setNodeId("lb1"))
                        .build());
        awaitHookCall("announce " + vips);
        assertEquals(0, fleet.agent("lb1").announcer().failures());
        String metrics = fleet.get("lb1", "/metrics").body();
        assertTrue(metric(metrics, "ringfleet_route_hook_calls_total", "node=\"lb1\"") >= 3);
    }

    @Test
    @Order(8)
    void aRestartKeepsPinnedStateRewritesNothingAndCatchesUp() throws Exception {
        int xdp = lbns.call(() -> Xdp.attachedId(Xdp.ifindex("lb2"), Xdp.Mode.DRIVER));
        int tc = lbns.call(() -> Tc.attachedId(Xdp.ifindex("lb2"), Tc.Direction.EGRESS, 1, 1));
        assertNotEquals(0, tc, "health-check forwarder on lb2's egress");
        SortedMap<String, String> before = MapDump.of(fleet.agent("lb2").datapath());

        fleet.stop("lb2");
        assertEquals(
                xdp,
                (int) lbns.call(() -> Xdp.attachedId(Xdp.ifindex("lb2"), Xdp.Mode.DRIVER)),
                "a stopped agent leaves XDP attached");
        LbAgent again = fleet.start("lb2");
        fleet.awaitReady(Duration.ofSeconds(60));
        assertTrue(again.datapath().mapsReused());
        assertTrue(again.datapath().programReused());
        assertEquals(xdp, again.datapath().program().id());
        assertEquals(xdp, (int) lbns.call(() -> Xdp.attachedId(Xdp.ifindex("lb2"), Xdp.Mode.DRIVER)));
        assertEquals(tc, (int) lbns.call(() -> Tc.attachedId(Xdp.ifindex("lb2"), Tc.Direction.EGRESS, 1, 1)));
        assertEquals(before, MapDump.of(again.datapath()), "maps unchanged across the restart");
        var report = again.pipeline().lastReport().orElseThrow();
        assertTrue(report.full(), "the first run after a start compares everything");
        assertEquals(
                0L,
                again.pipeline().programmer().entriesWritten().values().stream()
                        .mapToLong(Long::longValue)
                        .sum(),
                "nothing rewritten: " + again.pipeline().programmer().entriesWritten());

        fleet.stop("lb2");
        ApplyResponse whileDown = fleet.control("lb1", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addCommands(addReals(WEB, "10.0.0.9=1"))
                        .addCommands(setWeights(WEB, "10.0.0.2=1"))
                        .build());
        LbAgent third = fleet.start("lb2");
        fleet.awaitReady(Duration.ofSeconds(60));
        fleet.awaitProgrammed(whileDown.getLogIndex(), Duration.ofSeconds(30));
        SortedMap<String, String> caughtUp = assertSameMaps();
        assertNotEquals(before, caughtUp);
        assertEquals(xdp, (int) lbns.call(() -> Xdp.attachedId(Xdp.ifindex("lb2"), Xdp.Mode.DRIVER)));
        var written = third.pipeline().programmer().entriesWritten();
        assertEquals(1L, written.getOrDefault("reals", 0L), "only the new real: " + written);
        assertTrue(
                written.getOrDefault("ch_rings", 0L) > 0 && written.getOrDefault("ch_rings", 0L) < 65537,
                "only changed ring slots: " + written);
    }
}
