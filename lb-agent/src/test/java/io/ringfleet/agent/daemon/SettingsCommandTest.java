package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.cli.ExitCodes;
import io.ringfleet.agent.cli.LbctlRunner;
import io.ringfleet.agent.cli.SettingsSetRequests;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.GetFleetSettingsRequest;
import io.ringfleet.api.GetFleetSettingsResponse;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.NodeVersion;
import io.ringfleet.api.PeerSpec;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.raft.RaftTimings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lbctl settings show / set / finalize} against three real agents (mutual TLS, real Ratis peers on loopback,
 * BPF objects in the kernel, not attached), started on software of fleet version 1 so that finalising version 2
 * can be shown after a rolling restart. Every expectation is read from the agents' own images.
 */
class SettingsCommandTest {
    static final List<String> NODES = List.of("lb1", "lb2", "lb3");
    static final Duration CONVERGE = Duration.ofSeconds(60);
    static Path pkiRoot;
    static AgentFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        pkiRoot = Files.createTempDirectory("ringfleet-settings-pki-");
        fleet = new AgentFleet(TestPki.create(pkiRoot, 3), NODES, 8, Map.of());
        NODES.forEach(id -> fleet.options(id, b -> b.supportedFleetVersion(1)));
        fleet.startAll(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
        AgentFleet.deleteTree(pkiRoot);
    }

    @Test
    void showPrintsTheLogsSettingsForAReader() throws Exception {
        awaitNodeVersionsReported();
        GetFleetSettingsResponse shown = json(lbctl("lb2").as("bob", "-o", "json", "settings", "show"));
        FleetImage image = fleet.agent("lb2").image();
        FleetSettings logged = image.settings().settings().orElseThrow();
        assertEquals(logged.toProto(), shown.getSettings());
        assertEquals(logged.digestHex(), hex(shown));
        assertEquals(image.settings().fleetVersion(), shown.getFleetVersion());
        assertEquals(
                image.settings().nodeVersions(),
                new java.util.TreeMap<>(shown.getNodeVersionsList().stream()
                        .collect(java.util.stream.Collectors.toMap(
                                NodeVersion::getNodeId, NodeVersion::getSupportedVersion))));
        for (String id : NODES) {
            assertTrue(
                    shown.getSettings().getPeersList().stream()
                            .anyMatch(p ->
                                    p.getId().equals(id) && p.getApiAddress().equals(fleet.target(id))),
                    id + " with its API address in " + shown.getSettings().getPeersList());
        }

        List<String> table = ok(lbctl("lb3").as("bob", "settings", "show")).outLines();
        System.out.println("settings-show:\n" + String.join("\n", table));
        assertTrue(hasRow(table, "max_vips", logged.limits().maxVips()), String.join("\n", table));
        assertTrue(hasRow(table, "settings_digest", logged.digestHex()), String.join("\n", table));
        for (PeerSpec p : logged.toProto().getPeersList()) {
            String version = "v" + image.settings().nodeVersion(p.getId()).orElseThrow();
            assertTrue(
                    table.stream()
                            .anyMatch(l -> l.startsWith(p.getId() + " ")
                                    && l.contains(p.getRaftAddress())
                                    && l.endsWith(version)),
                    p.getId() + " in\n" + String.join("\n", table));
        }
    }

    @Test
    void setChangesTheNamedFieldsEverywhereAndRefusesWhatWouldNotFit() throws Exception {
        LbctlRunner lb1 = lbctl("lb1");
        for (int i = 1; i <= 3; i++) { // vip_num 0..2 in use
            ok(lb1.as("alice", "vip", "add", "tcp", "10.203.0." + i + ":80", "--wait"));
        }
        FleetSettingsSpec before = settings("lb1");
        long stateBefore = fleet.agent("lb1").image().stateIndex();

        LbctlRunner.Result belowUse = lb1.as("alice", "settings", "set", "--max-vips", "2");
        assertEquals(ExitCodes.REJECTED, belowUse.exit(), belowUse.toString());
        assertOneLine(belowUse, "fleet settings: max_vips 2 is below what the fleet uses (vip_num ");
        LbctlRunner.Result outOfRange = lb1.as("alice", "settings", "set", "--max-reals", "1");
        assertEquals(ExitCodes.REJECTED, outOfRange.exit(), outOfRange.toString());
        assertOneLine(outOfRange, "fleet settings: maxReals must be from 2 to 65536");
        LbctlRunner.Result reader = lb1.as("bob", "settings", "set", "--max-vips", "16");
        assertEquals(ExitCodes.NOT_ALLOWED, reader.exit(), reader.toString());
        LbctlRunner.Result dryRun = lb1.as("alice", "settings", "set", "--max-vips", "16", "--dry-run");
        assertEquals(ExitCodes.OK, dryRun.exit(), dryRun.toString());
        assertTrue(dryRun.out().startsWith("dry run ok: "), dryRun.out());
        LbctlRunner.Result stale = lb1.as(
                "alice", "settings", "set", "--max-vips", "16", "--expect-state-index", Long.toString(stateBefore - 1));
        assertEquals(ExitCodes.REJECTED, stale.exit(), stale.toString());
        LbctlRunner.Result nothing = lb1.as("alice", "settings", "set");
        assertEquals(ExitCodes.USAGE, nothing.exit(), nothing.toString());
        assertEquals(before, settings("lb1"), "refused sets, a dry run and a reader changed nothing");
        assertEquals(stateBefore, fleet.agent("lb1").image().stateIndex());

        HashFunction otherHash =
                before.getDefaultHashFunction() == HashFunction.MAGLEV ? HashFunction.MAGLEV_V2 : HashFunction.MAGLEV;
        String hashArg = otherHash == HashFunction.MAGLEV ? "maglev" : "maglev-v2";
        int vips = before.getMaxVips() * 2;
        ok(lbctl("lb2")
                .as("alice", "settings", "set", "--max-vips", Integer.toString(vips), "--default-hash", hashArg));
        FleetSettingsSpec expected = before.toBuilder()
                .setMaxVips(vips)
                .setDefaultHashFunction(otherHash)
                .build();
        fleet.awaitProgrammed(fleet.appliedIndex(), CONVERGE);
        for (String id : NODES) {
            assertEquals(expected, settings(id), id);
        }
    }

    /**
     * The race {@code settings set} guards against: a change logged between its read and its Apply refuses the set
     * (the request carries the state index it read), nothing changes; the same set based on a fresh read applies.
     */
    @Test
    void aChangeLoggedBetweenSetsReadAndItsApplyRefusesTheSet() throws Exception {
        ControlServiceGrpc.ControlServiceBlockingStub lb1 = fleet.control("lb1", "alice");
        GetFleetSettingsResponse read = lb1.getFleetSettings(GetFleetSettingsRequest.getDefaultInstance());
        int more = read.getSettings().getMaxVips() + 1;
        ApplyRequest stale = SettingsSetRequests.maxVips(read, more);
        ok(lbctl("lb2").as("alice", "vip", "add", "tcp", "10.203.1.1:80", "--wait")); // the concurrent change
        FleetSettingsSpec before = settings("lb1");
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> lb1.apply(stale));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode(), refused.toString());
        assertEquals(before, settings("lb1"), "the refused set changed nothing");
        assertEquals(read.getStamp().getStateIndex(), stale.getExpectedStateIndex(), "the state index it read");

        GetFleetSettingsResponse fresh = lb1.getFleetSettings(GetFleetSettingsRequest.getDefaultInstance());
        lb1.apply(SettingsSetRequests.maxVips(fresh, more));
        fleet.awaitProgrammed(fleet.appliedIndex(), CONVERGE);
        assertEquals(before.toBuilder().setMaxVips(more).build(), settings("lb1"));
    }

    /** A rolling upgrade: refused while a peer has not reported version 2; each agent restarted on v2; finalised. */
    @Test
    void finalizeTurnsOnTheNextVersionOnceEveryPeerSupportsIt() throws Exception {
        awaitNodeVersionsReported();
        int finalised = fleet.agent("lb1").image().settings().fleetVersion();
        String next = Integer.toString(finalised + 1);
        LbctlRunner.Result early = lbctl("lb1").as("alice", "settings", "finalize", next);
        assertEquals(ExitCodes.REJECTED, early.exit(), early.toString());
        assertOneLine(early, "every peer must report support for it first; not yet: lb1 (supports 1)");
        assertEquals(finalised, fleet.agent("lb1").image().settings().fleetVersion());

        for (String id : NODES) {
            fleet.stop(id);
            fleet.options(id, b -> b.supportedFleetVersion(FleetVersions.SUPPORTED));
            fleet.start(id);
            fleet.awaitReady(CONVERGE);
        }
        awaitNodeVersionsReported();
        ok(lbctl("lb3").as("alice", "settings", "finalize", next));
        fleet.awaitProgrammed(fleet.appliedIndex(), CONVERGE);
        for (String id : NODES) {
            assertEquals(finalised + 1, fleet.agent(id).image().settings().fleetVersion(), id);
        }
        assertEquals(
                finalised + 1,
                json(lbctl("lb2").as("bob", "-o", "json", "settings", "show")).getFleetVersion());
        raftTimingsFromVersion4();
    }

    /**
     * Runs after the upgrade above (so no other test meets a fleet past the version it expects): versions up to 4
     * finalised, then Raft timings set through lbctl. They are in every image and in {@code settings show}; each
     * running agent says it runs other timings until its next start; lb3 restarted runs the log's.
     */
    private static void raftTimingsFromVersion4() throws Exception {
        int rule = FleetVersions.Rule.RAFT_TIMINGS.version();
        String[] slowArgs = {
            "--election-timeout-min-ms",
            "1500",
            "--election-timeout-max-ms",
            "3000",
            "--raft-request-timeout-ms",
            "4000"
        };
        int version = fleet.agent("lb1").image().settings().fleetVersion();
        if (version < rule) {
            LbctlRunner.Result early = lbctl("lb1").as("alice", concat(new String[] {"settings", "set"}, slowArgs));
            assertEquals(ExitCodes.REJECTED, early.exit(), early.toString());
            assertOneLine(early, "need fleet version " + rule + " but the fleet's finalised version is " + version);
        }
        for (int v = version + 1; v <= rule; v++) {
            ok(lbctl("lb1").as("alice", "settings", "finalize", Integer.toString(v)));
        }
        LbctlRunner.Result tooShort = lbctl("lb1").as("alice", "settings", "set", "--election-timeout-min-ms", "10");
        assertEquals(ExitCodes.REJECTED, tooShort.exit(), tooShort.toString());
        assertOneLine(tooShort, "raft timings: election-timeout-min must be 50 ms to 60000 ms, got 10 ms");

        ok(lbctl("lb2").as("alice", concat(new String[] {"settings", "set"}, slowArgs)));
        fleet.awaitProgrammed(fleet.appliedIndex(), CONVERGE);
        RaftTimings slow =
                RaftTimings.of(Duration.ofMillis(1500), Duration.ofMillis(3000), Duration.ofMillis(4000), true);
        for (String id : NODES) {
            assertEquals(slow, FleetSettings.of(settings(id)).raftTimings(), id);
        }
        List<String> shown =
                List.of(ok(lbctl("lb3").as("bob", "settings", "show")).out().split("\n"));
        assertTrue(hasRow(shown, "election_timeout_min_ms", 1500) && hasRow(shown, "pre_vote", "on"), shown.toString());
        String status = statusOnceEveryNodeAnswers();
        for (String id : NODES) {
            String line = mismatchLine(status, id);
            assertTrue(
                    line.contains("election_timeout_min_ms: config 0 (default: 1000 ms), log 1500")
                            && line.endsWith("raft timings: this node runs " + RaftTimings.DEFAULT
                                    + " until its next start, the log's are " + slow),
                    line);
        }

        fleet.stop("lb3");
        fleet.start("lb3");
        fleet.awaitReady(CONVERGE);
        assertEquals(slow, fleet.agent("lb3").node().timings(), "lb3 restarted runs the log's timings");
        String after = statusOnceEveryNodeAnswers();
        String lb3Line = mismatchLine(after, "lb3");
        assertTrue(!lb3Line.contains("this node runs"), lb3Line);
        assertTrue(after.contains("this node runs " + RaftTimings.DEFAULT), "lb1 and lb2 not restarted: " + after);
    }

    /**
     * lbctl status through lb1 once every node answers: right after a restart lb1's channel to the restarted node
     * may still be backing off from the old connection, and that row then says "no answer" for a moment.
     */
    private static String statusOnceEveryNodeAnswers() throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (true) {
            String status = ok(lbctl("lb1").as("bob", "status")).out();
            if (!status.contains("no answer") || System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(200);
        }
    }

    /** The "settings mismatch on ID" line of lbctl status (the other tests may have changed other settings). */
    private static String mismatchLine(String status, String id) {
        return status.lines()
                .filter(l -> l.startsWith("settings mismatch on " + id + " (it follows the log): "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no settings mismatch line for " + id + ": " + status));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Until every running agent's start-up version report is in the image of each. */
    private static void awaitNodeVersionsReported() throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        for (LbAgent a : fleet.running()) {
            while (!a.image().settings().nodeVersions().keySet().containsAll(NODES)
                    || fleet.running().stream()
                            .anyMatch(o -> !a.image()
                                    .settings()
                                    .nodeVersion(o.nodeId())
                                    .equals(java.util.Optional.of(
                                            o.node().stateMachine().supportedVersion())))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(a.nodeId() + ": node versions "
                            + a.image().settings().nodeVersions());
                }
                Thread.sleep(20);
            }
        }
    }

    private static FleetSettingsSpec settings(String id) {
        return fleet.agent(id).image().settings().settings().orElseThrow().toProto();
    }

    private static LbctlRunner lbctl(String via) {
        return new LbctlRunner(fleet.target(via), fleet.pki.ca(), fleet.pki.dir);
    }

    private static LbctlRunner.Result ok(LbctlRunner.Result r) {
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        return r;
    }

    private static void assertOneLine(LbctlRunner.Result r, String contains) {
        assertEquals(1, r.err().split("\n").length, r.toString());
        assertTrue(
                r.err().startsWith("lbctl: failed precondition: ") || r.err().startsWith("lbctl: invalid argument: "),
                r.toString());
        assertTrue(r.err().contains(contains), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    private static boolean hasRow(List<String> table, String setting, Object value) {
        return table.stream().anyMatch(l -> l.matches(setting + " +" + value));
    }

    private static String hex(GetFleetSettingsResponse r) {
        return java.util.HexFormat.of().formatHex(r.getSettingsDigest().toByteArray());
    }

    private static GetFleetSettingsResponse json(LbctlRunner.Result r) throws Exception {
        ok(r);
        GetFleetSettingsResponse.Builder b = GetFleetSettingsResponse.newBuilder();
        io.ringfleet.agent.cli.LbctlJson.merge(r.out(), b);
        return b.build();
    }
}
