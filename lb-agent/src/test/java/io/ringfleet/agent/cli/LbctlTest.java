package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfleet.agent.api.ApiFixture;
import io.ringfleet.agent.api.StatsSource;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.ListVipsResponse;
import io.ringfleet.state.FleetImage;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lbctl end to end: the real CLI in-process against a running API server over mutual TLS. */
class LbctlTest {
    @TempDir
    Path tmp;

    ApiFixture api;
    LbctlRunner lbctl;

    @BeforeEach
    void start() throws Exception {
        TestPki pki = TestPki.shared();
        api = ApiFixture.start(pki);
        lbctl = new LbctlRunner(api.target(), pki.ca(), pki.dir);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private LbctlRunner.Result ok(String... args) {
        LbctlRunner.Result r = lbctl.as("alice", args);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), r.toString());
        return r;
    }

    private static <T extends com.google.protobuf.Message.Builder> T parse(String json, T builder) throws Exception {
        LbctlJson.merge(json, builder);
        return builder;
    }

    @Test
    void vipsAndRealsLikeKatranGoclient() throws Exception {
        assertEquals(
                "ok: log index 1, state index 1, 1 record(s), request r1",
                ok("vip", "add", "tcp", "10.200.200.1:22", "--request-id", "r1")
                        .out()
                        .strip());
        ok("vip", "add", "udp", "[fc00::1]:443", "--flag", "quic_vip", "--hash", "maglev_v2");
        ok("real", "add", "tcp", "10.200.200.1:22", "10.0.0.1", "10.0.0.2", "--weight", "5");
        ok("real", "weight", "tcp", "10.200.200.1:22", "10.0.0.2", "-w", "9");
        ok("real", "delete", "tcp", "10.200.200.1:22", "10.0.0.1");

        LbctlRunner.Result table = ok("vip", "list", "--reals");
        assertEquals(
                List.of(
                        "VIP                  NUM  FLAGS           HASH       REALS",
                        "tcp 10.200.200.1:22  0    0x0             maglev     1",
                        "  10.0.0.2                weight 9                   index 2",
                        "udp [fc00::1]:443    1    0x4 (quic_vip)  maglev_v2  0"),
                table.outLines());

        ListVipsResponse json = parse(ok("-o", "json", "vip", "list").out(), ListVipsResponse.newBuilder())
                .build();
        assertEquals(2, json.getVipsCount());
        assertEquals("fc00::1", json.getVips(1).getVip().getAddress());
        assertEquals(1, ok("-o", "json", "vip", "list").outLines().size(), "one JSON document per line");

        assertEquals(
                "0x4 (quic_vip)",
                ok("vip", "flags", "udp", "[fc00::1]:443").out().strip());
        ok("vip", "flags", "udp", "[fc00::1]:443", "--set", "lru-bypass", "--clear", "quic_vip");
        assertEquals(
                "0x2 (lru_bypass)",
                ok("vip", "flags", "udp", "[fc00::1]:443").out().strip());
        ok("vip", "hash", "udp", "[fc00::1]:443", "maglev");
        ok("vip", "delete", "udp", "[fc00::1]:443");
        assertEquals(1, api.log.image().vips().size());
        assertEquals("alice", api.log.entries().get(0).getPrincipal());
    }

    @Test
    void rejectionIsExit3WithTheServersMessageOnOneLine() {
        FleetImage before = api.log.image();
        LbctlRunner.Result r = lbctl.as("alice", "vip", "add", "tcp", "10.0.0.256:80");
        assertEquals(3, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals(
                "lbctl: invalid argument: command 0 (add_vip): vip address \"10.0.0.256\" is not a valid IP address"
                        + " (IPv4 octet 256 is above 255): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or"
                        + " brackets\n",
                r.err());
        assertTrue(api.log.image().sameStateAs(before));

        LbctlRunner.Result missing = lbctl.as("alice", "real", "add", "tcp", "10.9.9.9:80", "10.0.0.1");
        assertEquals(3, missing.exit());
        assertEquals("lbctl: not found: command 0 (add_reals): vip 10.9.9.9:80/tcp does not exist\n", missing.err());

        ok("vip", "add", "tcp", "10.9.9.9:80");
        LbctlRunner.Result weight = lbctl.as("alice", "real", "add", "tcp", "10.9.9.9:80", "10.0.0.1", "-w", "70000");
        assertEquals(3, weight.exit());
        assertTrue(
                weight.err().contains("weight 70000 of real 10.0.0.1 is out of range: allowed 0..65535"), weight.err());
        LbctlRunner.Result dup = lbctl.as("alice", "vip", "add", "tcp", "10.9.9.9:80");
        assertEquals(3, dup.exit());
        assertTrue(dup.err().startsWith("lbctl: already exists: "), dup.err());
    }

    @Test
    void nodeLeaveAndJoinChangeTheRaftConfigurationOrAreRefusedWithExit3() throws Exception {
        api.log.setProgrammed("lb2", 0);
        api.log.setProgrammed("lb3", 0);
        assertEquals(
                "lb3 left; voters lb1,lb2; listeners none",
                ok("node", "leave", "lb3").out().strip());
        assertEquals(Set.of("lb1", "lb2"), api.log.membership().voters());
        GetStatusResponse status = parse(ok("-o", "json", "status").out(), GetStatusResponse.newBuilder())
                .build();
        assertEquals(3, status.getNodesCount(), status.toString());

        LbctlRunner.Result lastTwo = lbctl.as("alice", "node", "leave", "lb2");
        assertEquals(3, lastTwo.exit(), lastTwo.toString());
        assertEquals(
                "lbctl: failed precondition: removing voter lb2 would leave 1 voter [lb1]; at least 2 must stay"
                        + " (join another node first)\n",
                lastTwo.err());
        LbctlRunner.Result again = lbctl.as("alice", "node", "leave", "lb3");
        assertEquals(3, again.exit(), again.toString());
        assertTrue(again.err().contains("node lb3 is not in the Raft configuration"), again.err());
        LbctlRunner.Result unknown = lbctl.as("alice", "node", "join", "lb9");
        assertEquals(3, unknown.exit(), unknown.toString());
        assertEquals(
                "lbctl: invalid argument: node lb9 is not a peer of the fleet config [lb1, lb2, lb3]\n", unknown.err());
        LbctlRunner.Result readOnly = lbctl.as("bob", "node", "join", "lb3");
        assertEquals(5, readOnly.exit(), readOnly.toString());
        assertEquals(Set.of("lb1", "lb2"), api.log.membership().voters());

        io.ringfleet.api.MembershipResponse joined = parse(
                        ok("-o", "json", "node", "join", "lb3").out(), io.ringfleet.api.MembershipResponse.newBuilder())
                .build();
        assertEquals(List.of("lb1", "lb2", "lb3"), joined.getVotersList());
        LbctlRunner.Result twice = lbctl.as("alice", "node", "join", "lb3");
        assertEquals(3, twice.exit(), twice.toString());
        assertTrue(twice.err().contains("node lb3 is already in the Raft configuration"), twice.err());
        assertTrue(api.log.entries().isEmpty(), "membership writes nothing to the state log");
    }

    @Test
    void errorsInJsonModeAreOneJsonObject() {
        LbctlRunner.Result r = lbctl.as("alice", "-o", "json", "vip", "delete", "tcp", "10.9.9.9:80");
        assertEquals(3, r.exit());
        assertEquals(
                "{\"error\":\"NOT_FOUND\",\"message\":\"command 0 (remove_vip): vip 10.9.9.9:80/tcp"
                        + " does not exist\",\"exit_code\":3}\n",
                r.err());
    }

    @Test
    void jsonPrintsIndexesAsNumbersAndDigestsInHexAsTheTableDoes() throws Exception {
        ok("vip", "add", "tcp", "10.0.0.1:80");
        ok("real", "add", "tcp", "10.0.0.1:80", "10.1.0.1", "10.1.0.2");
        JsonNode status = new ObjectMapper().readTree(ok("-o", "json", "status").out());
        JsonNode lb1 = status.get("nodes").get(0);
        for (String index : List.of("term", "commit_index", "applied_index", "programmed_index")) {
            assertTrue(lb1.get(index).isIntegralNumber(), index + " is not a JSON integer: " + lb1);
        }
        GetStatusResponse parsed = parse(ok("-o", "json", "status").out(), GetStatusResponse.newBuilder())
                .build();
        assertEquals(
                parsed.getNodes(0).getAppliedIndex(), lb1.get("applied_index").asLong());
        JsonNode vip = new ObjectMapper()
                .readTree(ok("-o", "json", "vip", "list").out())
                .get("vips")
                .get(0);
        assertEquals(2, vip.get("real_count").asInt(), vip.toString());
        assertEquals(vip.get("real_count").asInt(), vip.get("reals").size(), "reals listed next to real_count: " + vip);
        String digest = lb1.get("state_digest").asText();
        assertTrue(digest.matches("[0-9a-f]{64}"), digest);
        // the table shows the digest's first 12 hex digits: the same digest, the same spelling
        String row = ok("status").outLines().get(1);
        assertTrue(row.contains(" " + digest.substring(0, 12) + " "), row + " / " + digest);
    }

    @Test
    void anUnresolvableTargetIsOneLineExit4() throws Exception {
        TestPki pki = TestPki.shared();
        LbctlRunner.Result r = LbctlRunner.raw(
                "status",
                "--target",
                "no-such-lb.invalid:9871",
                "--ca",
                pki.ca().toString(),
                "--cert",
                pki.dir.resolve("alice.pem").toString(),
                "--key",
                pki.dir.resolve("alice-key.pem").toString());
        assertEquals(4, r.exit(), r.toString());
        assertEquals(
                "lbctl: failed: --target no-such-lb.invalid:9871: cannot resolve host 'no-such-lb.invalid'\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void usageErrorsAreExit2OnOneLine() {
        LbctlRunner.Result noPort = lbctl.as("alice", "vip", "add", "tcp", "10.0.0.1");
        assertEquals(2, noPort.exit(), noPort.toString());
        assertEquals(1, noPort.err().lines().count(), noPort.err());
        assertTrue(noPort.err().contains("'10.0.0.1' has no port"), noPort.err());
        assertTrue(noPort.err().contains("(see: lbctl vip add --help)"), noPort.err());

        LbctlRunner.Result v6 = lbctl.as("alice", "vip", "add", "tcp", "fc00::1:443");
        assertEquals(2, v6.exit());
        assertTrue(v6.err().contains("put an IPv6 address in brackets"), v6.err());

        LbctlRunner.Result proto = lbctl.as("alice", "vip", "add", "sctp", "10.0.0.1:80");
        assertEquals(2, proto.exit());
        assertTrue(proto.err().contains("'sctp' is not a protocol: allowed tcp or udp"), proto.err());

        LbctlRunner.Result noTls = LbctlRunner.raw("vip", "list", "--target", api.target());
        assertEquals(2, noTls.exit());
        assertEquals(
                "lbctl: usage: give --ca, --cert and --key (or LBCTL_CA, LBCTL_CERT and LBCTL_KEY), or --plaintext"
                        + " for a fleet that runs without TLS\n",
                noTls.err());

        LbctlRunner.Result nothing = LbctlRunner.raw();
        assertEquals(2, nothing.exit());
        assertEquals(0, LbctlRunner.raw("--help").exit());
        assertTrue(api.log.entries().isEmpty());
    }

    @Test
    void readOnlyCertificateIsExit5AndChangesNothing() {
        LbctlRunner.Result r = lbctl.as("bob", "vip", "add", "tcp", "10.0.0.1:80");
        assertEquals(5, r.exit(), r.toString());
        assertEquals(
                "lbctl: permission denied: bob has role read-only, which may only read;"
                        + " ringfleet.v1.ControlService/Apply needs an operator certificate\n",
                r.err());
        assertEquals(0, lbctl.as("bob", "vip", "list").exit());
        assertTrue(api.log.entries().isEmpty());
    }

    @Test
    void certificatesOfAnotherCaAreRefused() {
        LbctlRunner.Result local =
                new LbctlRunner(api.target(), api.pki.ca(), api.pki.rogueDir).as("mallory", "vip", "list");
        assertEquals(2, local.exit(), local.toString());
        assertTrue(
                local.err()
                        .contains("mallory.pem (CN=Ringfleet development CA,OU=dev-ca,O=Ringfleet) is not signed by"
                                + " the CA in " + api.pki.ca()),
                local.err());

        LbctlRunner.Result tls = new LbctlRunner(api.target(), api.pki.rogueDir.resolve("ca.pem"), api.pki.rogueDir)
                .as("mallory", "vip", "list");
        assertEquals(5, tls.exit(), tls.toString());
        assertEquals(1, tls.err().lines().count());
        assertTrue(tls.err().startsWith("lbctl: tls: TLS handshake with 127.0.0.1:"), tls.err());
    }

    @Test
    void nothingListeningIsExit4() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LbctlRunner closed = new LbctlRunner("127.0.0.1:" + port, api.pki.ca(), api.pki.dir);
        LbctlRunner.Result r = closed.as("alice", "status", "--timeout", "5s");
        assertEquals(4, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count());
        assertTrue(r.err().startsWith("lbctl: unavailable: 127.0.0.1:" + port + ": "), r.err());
    }

    @Test
    void statusTableAndJson() throws Exception {
        ok("vip", "add", "tcp", "10.0.0.1:80");
        api.log.setProgrammed("lb2", 0);
        List<String> lines = ok("status").outLines();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("NODE  ROLE      LEADER  TERM  COMMIT  APPLIED  PROGRAMMED"), lines.get(0));
        assertTrue(
                lines.get(1)
                        .matches(
                                "lb1\\s+leader\\s+\\*\\s+1\\s+1\\s+1\\s+1\\s+1\\s+[0-9a-f]{12}\\s+[0-9a-f]{12}\\s+no\\s+yes"),
                lines.get(1));
        assertTrue(lines.get(2).matches("lb2\\s+follower\\s+1\\s+1\\s+1\\s+0\\s+.*"), lines.get(2));
        GetStatusResponse json = parse(ok("status", "-o", "json").out(), GetStatusResponse.newBuilder())
                .build();
        assertEquals(2, json.getNodesCount());
        assertEquals("lb1", json.getLeaderId());
    }

    @Test
    void nodeDrainRecordsWhoAndWhy() {
        ok("node", "drain", "lb2", "--reason", "kernel upgrade");
        List<String> lines = ok("node", "list").outLines();
        assertTrue(lines.get(1).matches("lb2\\s+alice\\s+2026-11-21T10:00:00Z\\s+kernel upgrade"), lines.get(1));
        ok("node", "undrain", "lb2");
        assertEquals(1, ok("node", "list").outLines().size());
    }

    @Test
    void healthChecksQuicAndMac() {
        ok("hc", "add", "1000", "10.0.0.7");
        assertEquals(
                List.of("SOMARK  DESTINATION", "1000    10.0.0.7"),
                ok("hc", "list").outLines());
        ok("hc", "delete", "1000");
        ok("quic", "add", "7", "10.0.0.5");
        assertEquals(
                List.of("ID  REAL      INDEX", "7   10.0.0.5  1"),
                ok("quic", "list").outLines());
        ok("quic", "delete", "7");
        assertEquals(1, ok("quic", "list").outLines().size());
        ok("mac", "set", "02:00:00:00:00:01");
        assertEquals("02:00:00:00:00:01", ok("mac", "show").out().strip());
    }

    @Test
    void statsTotalsAndLruRatesPerSecond() throws Exception {
        ok("vip", "add", "tcp", "10.0.0.1:80");
        api.stats.set(snapshot(100, 10, 0));
        LbctlRunner.Result totals = ok("stats");
        assertTrue(totals.outLines().get(1).matches("tcp 10\\.0\\.0\\.1:80\\s+0\\s+100\\s+10000"), totals.out());
        assertTrue(totals.out().contains("lru_hit"), totals.out());

        // lbctl's first sample sees the counters above, its second (one interval later) the bumped ones.
        api.stats.setAfterNextRead(snapshot(1100, 1010, 50));
        LbctlRunner.Result lru = ok("stats", "--lru", "--interval", "600ms", "--count", "1", "-o", "json");
        assertEquals(1, lru.outLines().size(), lru.out());
        com.google.protobuf.Struct.Builder s = parse(lru.out(), com.google.protobuf.Struct.newBuilder());
        double hitsPerSecond = s.getFieldsOrThrow("hits_per_second").getNumberValue();
        assertTrue(hitsPerSecond > 1000 && hitsPerSecond < 2000, "1000 hits in about 0.6 s, got " + hitsPerSecond);
        assertTrue(s.getFieldsOrThrow("fallback_hits_per_second").getNumberValue() > 0);
    }

    private static StatsSource.Snapshot snapshot(long packets, long hits, long fallback) {
        return new StatsSource.Snapshot(
                new TreeMap<>(Map.of(0, new StatsSource.Counter(packets, packets * 100))),
                new TreeMap<>(),
                List.of(
                        new StatsSource.NamedCounter("lru_lookup", new StatsSource.Counter(packets, 0)),
                        new StatsSource.NamedCounter("lru_hit", new StatsSource.Counter(hits, 0)),
                        new StatsSource.NamedCounter("fallback_hit", new StatsSource.Counter(fallback, 0))));
    }

    @Test
    void waitThatTimesOutIsExit6AndTheChangeStands() {
        api.log.setProgrammed("lb2", 0);
        LbctlRunner.Result r =
                lbctl.as("alice", "vip", "add", "tcp", "10.0.0.1:80", "--wait", "--wait-timeout", "300ms");
        assertEquals(6, r.exit(), r.toString());
        assertTrue(r.out().contains("not yet programmed everywhere: 1/2 live nodes, lagging lb2"), r.out());
        assertEquals(1, api.log.image().vips().size());
        api.log.setProgrammed("lb2", 1);
        assertEquals(
                "programmed: 2/2 live nodes at index 1", ok("wait", "1").out().strip());
    }

    @Test
    void anIndexOutsideZeroToLongMaxIsAUsageErrorNotAWaitForTwoTo64Minus1() {
        // "-1" was sent as uint64 2^64-1 (and 2^63 as Long.MIN_VALUE), which the server compared as below every index.
        for (String index :
                new String[] {"-1", "-9223372036854775808", "9223372036854775808", "18446744073709551615"}) {
            LbctlRunner.Result r = lbctl.as("alice", "wait", index);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().contains("'" + index + "' is not a log index: allowed 0..9223372036854775807"), r.err());
            LbctlRunner.Result w = lbctl.as("alice", "vip", "add", "tcp", "10.0.0.9:80", "--expect-state-index", index);
            assertEquals(2, w.exit(), w.toString());
            assertTrue(w.err().contains("'" + index + "' is not a log index: allowed 0..9223372036854775807"), w.err());
        }
        assertTrue(api.log.entries().isEmpty());
    }

    @Test
    void applyFileIsOneAtomicBatch() throws Exception {
        Path batch = tmp.resolve("batch.json");
        Files.writeString(
                batch,
                "{\"commands\": ["
                        + "{\"add_vip\": {\"vip\": {\"address\": \"10.0.0.1\", \"port\": 80, \"protocol\": \"TCP\"}}},"
                        + "{\"add_reals\": {\"vip\": {\"address\": \"10.0.0.1\", \"port\": 80, \"protocol\": \"TCP\"},"
                        + " \"reals\": [{\"address\": \"10.1.0.1\", \"weight\": 3}]}}]}");
        ApplyResponse r = parse(
                        ok("apply", "-f", batch.toString(), "-o", "json").out(), ApplyResponse.newBuilder())
                .build();
        assertEquals(2, r.getRecordsCount());
        assertEquals(1, api.log.entries().size());

        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"commands\": [{\"add_vipp\": {}}]}");
        LbctlRunner.Result b = lbctl.as("alice", "apply", "-f", bad.toString());
        assertEquals(2, b.exit());
        assertTrue(b.err().startsWith("lbctl: usage: " + bad + " is not a batch of commands"), b.err());
    }

    @Test
    void dryRunCommitsNothing() {
        assertEquals(
                "dry run ok: would emit 1 record(s) at state index 0; nothing was committed",
                ok("vip", "add", "tcp", "10.0.0.1:80", "--dry-run").out().strip());
        assertTrue(api.log.entries().isEmpty());
    }

    @Test
    void plaintextOnlyWhenBothSidesAskForIt() throws Exception {
        io.ringfleet.agent.api.InProcessFleetLog log =
                new io.ringfleet.agent.api.InProcessFleetLog("lb9", io.ringfleet.state.FleetLimits.DEFAULT);
        try (io.ringfleet.agent.api.ApiServer plain = io.ringfleet.agent.api.ApiServer.builder()
                .address(new InetSocketAddress("127.0.0.1", 0))
                .plaintext()
                .gateway(log)
                .progress(log)
                .build()
                .start()) {
            String target = "127.0.0.1:" + plain.port();
            LbctlRunner.Result r =
                    LbctlRunner.raw("--plaintext", "--target", target, "vip", "add", "tcp", "10.0.0.1:80");
            assertEquals(0, r.exit(), r.toString());
            assertEquals("lbctl: warning: plaintext: no encryption, no client identity\n", r.err());
            assertEquals("plaintext@127.0.0.1", log.entries().get(0).getPrincipal());
            LbctlRunner.Result tlsToPlain =
                    new LbctlRunner(target, api.pki.ca(), api.pki.dir).as("alice", "vip", "list");
            assertEquals(5, tlsToPlain.exit(), tlsToPlain.toString());
        } finally {
            log.close();
        }
        LbctlRunner.Result plainToTls = LbctlRunner.raw("--plaintext", "--target", api.target(), "vip", "list");
        assertEquals(4, plainToTls.exit(), plainToTls.toString());
        LbctlRunner.Result both =
                LbctlRunner.raw("--plaintext", "--ca", api.pki.ca().toString(), "vip", "list");
        assertEquals(2, both.exit());
    }

    @Test
    void optionsMayComeBeforeOrAfterTheSubcommand() {
        LbctlRunner.Result r = LbctlRunner.raw(
                "--target",
                api.target(),
                "--ca",
                api.pki.ca().toString(),
                "--cert",
                api.pki.cert("alice").toString(),
                "--key",
                api.pki.key("alice").toString(),
                "-o",
                "json",
                "vip",
                "list");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("{\"stamp\""), r.out());
    }
}
