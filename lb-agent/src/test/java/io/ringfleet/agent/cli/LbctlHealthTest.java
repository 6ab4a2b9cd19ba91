package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.ringfleet.agent.api.ApiFixture;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.GetRealHealthResponse;
import io.ringfleet.api.RealHealthInfo;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.VerdictReason;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.health.HealthReports;
import io.ringfleet.state.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lbctl's health verbs end to end (the real CLI against a running API server over mutual TLS, an in-process log
 * at fleet version 3): setting a check, a refused one, the verdict table and JSON after two LBs' agents voted, an
 * operator's attempt to vote refused, disabling the check.
 */
class LbctlHealthTest {
    private static final String VIP = "10.200.200.1:80";

    @TempDir
    Path tmp;

    ApiFixture api;
    LbctlRunner lbctl;
    private long clock = ApiFixture.NOW.toEpochMilli();

    @BeforeEach
    void start() throws Exception {
        TestPki pki = TestPki.shared();
        api = ApiFixture.start(pki);
        lbctl = new LbctlRunner(api.target(), pki.ca(), pki.dir);
        for (String node : List.of("lb1", "lb2", "lb3")) {
            log("test", Commands.reportVersion(node, FleetVersions.SUPPORTED));
        }
        log("test", Commands.finalizeVersion(2));
        log("test", Commands.finalizeVersion(3));
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    /** Written straight into the log, stamped via lb1 (the fleet's own writes, not lbctl's). */
    private BatchReply log(String principal, Command command) throws Exception {
        return submit(Commands.batch(principal, "r" + clock, command).toBuilder()
                .setTimestampMillis(++clock)
                .build());
    }

    private BatchReply submit(CommandBatch batch) throws Exception {
        BatchReply reply = api.log.submit(batch).get().reply();
        assertEquals(ReplyCode.OK, reply.getCode(), reply.getMessage());
        return reply;
    }

    /** Node's agent reports 10.0.0.2 down, as the agent writes it. */
    private BatchReply vote(String node) throws Exception {
        HealthPair pair = new HealthPair(
                new VipKey(IpAddress.parse("10.200.200.1"), 80, Protocol.TCP), IpAddress.parse("10.0.0.2"));
        return submit(
                HealthReports.batch(node, ++clock, "vote-" + node, List.of(HealthReports.command(node, pair, false))));
    }

    private LbctlRunner.Result ok(String... args) {
        LbctlRunner.Result r = lbctl.as("alice", args);
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    @Test
    void setACheckSeeTheFleetsVerdictAndDisableIt() throws Exception {
        ok("vip", "add", "tcp", VIP);
        ok("real", "add", "tcp", VIP, "10.0.0.1", "10.0.0.2", "10.0.0.3");
        ok("vip", "health-check", "set", "tcp", VIP, "--port", "80", "--kind", "http", "--path", "/healthz");

        LbctlRunner.Result bad =
                lbctl.as("alice", "vip", "health-check", "set", "tcp", VIP, "--port", "80", "--interval", "0");
        assertEquals(3, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("interval must be at least 1 ms, got 0"), bad.err());

        vote("lb1");
        long decided = vote("lb2").getLogIndex();
        GetRealHealthResponse.Builder b = GetRealHealthResponse.newBuilder();
        JsonFormat.parser().merge(ok("-o", "json", "real", "health", "tcp", VIP).out(), b);
        GetRealHealthResponse json = b.build();
        RealHealthInfo down = json.getRealsList().stream()
                .filter(r -> r.getAddress().equals("10.0.0.2"))
                .findFirst()
                .orElseThrow();
        assertTrue(down.getDown());
        assertFalse(down.getInRing());
        assertEquals(VerdictReason.QUORUM_DOWN, down.getReason());
        assertEquals(decided, down.getSinceIndex());
        assertEquals(2, down.getVotesCount());
        assertTrue(down.getVotesList().stream().allMatch(v -> v.getCounted() && !v.getUp()));
        assertEquals(List.of("lb1", "lb2", "lb3"), json.getVotersList());
        assertEquals(2, json.getQuorum());

        String table = ok("real", "health", "tcp", VIP).out();
        assertTrue(
                table.lines()
                        .anyMatch(l -> l.startsWith("10.0.0.2")
                                && l.contains(" down ")
                                && l.contains(" out ")
                                && l.contains("quorum_down")
                                && l.contains("lb1:down lb2:down")),
                table);

        // an operator cannot vote for an LB: the API refuses the command whole
        Path file = tmp.resolve("vote.json");
        Files.writeString(
                file,
                "{\"commands\":[{\"reportRealHealth\":{\"nodeId\":\"lb3\",\"vip\":{\"address\":"
                        + "\"10.200.200.1\",\"port\":80,\"protocol\":\"TCP\"},\"address\":\"10.0.0.2\",\"health\":\"REAL_UP\"}}]}");
        LbctlRunner.Result forged = lbctl.as("alice", "apply", "-f", file.toString());
        assertEquals(3, forged.exit(), forged.toString());
        assertTrue(forged.err().contains("written by each LB's own agent"), forged.err());

        ok("vip", "health-check", "disable", "tcp", VIP);
        b = GetRealHealthResponse.newBuilder();
        JsonFormat.parser().merge(ok("-o", "json", "real", "health", "tcp", VIP).out(), b);
        assertFalse(b.getCheck().getEnabled());
        assertTrue(b.getRealsList().stream().allMatch(RealHealthInfo::getInRing), "every real back in the ring");
        ok("vip", "health-check", "remove", "tcp", VIP);
        assertTrue(api.log.image().health().isEmpty());
    }
}
