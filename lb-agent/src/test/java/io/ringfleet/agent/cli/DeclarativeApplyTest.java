package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfleet.agent.api.LoopbackFleet;
import io.ringfleet.agent.fleet.FleetSettingsSeed;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.config.spec.FleetSpec;
import io.ringfleet.config.spec.FleetSpecParser;
import io.ringfleet.config.spec.FleetSpecPrinter;
import io.ringfleet.config.spec.VipId;
import io.ringfleet.config.spec.VipSpec;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declarative workflow on a real 3-node loopback fleet (Ratis peers over sockets, each node's API over mutual
 * TLS), through the real lbctl: export → apply is no change, a spec applied twice changes nothing the second time,
 * a plan made stale by a write between diff and apply is refused whole, removals wait for --prune, a scoped spec
 * touches only its VIPs, and drains name only the fleet's peers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the round trip first: it exports (and prunes) all
class DeclarativeApplyTest {
    @TempDir
    static Path storage;

    private static LoopbackFleet fleet;
    private static LbctlRunner lb1;
    private static LbctlRunner lb2;
    private static LbctlRunner lb3;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.shared();
        fleet = LoopbackFleet.start(pki, 3, storage.resolve("raft"));
        lb1 = new LbctlRunner(fleet.agent("lb1").target(), pki.ca(), pki.dir);
        lb2 = new LbctlRunner(fleet.agent("lb2").target(), pki.ca(), pki.dir);
        lb3 = new LbctlRunner(fleet.agent("lb3").target(), pki.ca(), pki.dir);
        // What an agent does at start: the fleet's settings (its peers) into the log at this build's version.
        List<FleetPeer> peers = new ArrayList<>();
        fleet.raftAddresses().forEach((id, address) -> peers.add(new FleetPeer(id, address, address, "")));
        fleet.control("lb1", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addCommands(new FleetSettingsSeed(
                                        FleetSettings.of(FleetLimits.DEFAULT, peers), FleetVersions.SUPPORTED)
                                .bootstrap())
                        .build());
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void exportApplyRoundTripSecondApplyAndStalePlan() throws Exception {
        seedImperatively();
        Path exported = storage.resolve("exported.yaml");
        ok(lb1, "export", "-f", exported.toString());
        FleetSpec before = FleetSpecParser.parse(Files.readString(exported));
        assertEquals(3, before.vips().size(), Files.readString(exported));

        // export → apply (through another node): nothing to do.
        long index = stateIndex();
        LbctlRunner.Result back = ok(lb3, "apply", "-f", exported.toString());
        assertTrue(lastLine(back).startsWith("no changes against state index " + index), back.toString());
        assertEquals(index, stateIndex(), "a no-change apply writes nothing");
        int roundTrip = changes(lb2, exported);

        // A changed spec: applied once, then again (no change); a removed VIP is held back without --prune.
        FleetSpec wanted = edited(before);
        Path spec = write("wanted.yaml", FleetSpecPrinter.print(wanted));
        int planned = changes(lb2, spec);
        List<String> table = ok(lb1, "diff", "-f", spec.toString()).outLines();
        assertTrue(table.get(0).matches("ACTION +OBJECT +DETAIL"), String.join("\n", table));
        assertTrue(
                table.stream().anyMatch(l -> l.matches("add +vip tcp 10\\.200\\.0\\.77:8080 +hash .*")),
                table.toString());
        assertTrue(
                table.stream()
                        .anyMatch(l -> l.matches("\\(held back\\) remove +vip "
                                + java.util.regex.Pattern.quote(
                                        before.vips().lastKey().toString()) + " .*")),
                String.join("\n", table));
        String summary = table.get(table.size() - 1);
        assertTrue(summary.startsWith(planned + " change(s) in "), summary);
        assertTrue(summary.endsWith("; 1 removal(s) held back (pass --prune to make them)"), summary);
        assertEquals(1 + planned + 1 + 1, table.size(), "header, one row per change, the held-back row, the summary");
        assertTrue(planned >= 4, "weight change, new real, removed real, new VIP: " + planned);
        LbctlRunner.Result first = ok(lb2, "apply", "-f", spec.toString());
        assertTrue(first.out().contains("ok: log index"), first.toString());
        LbctlRunner.Result second = ok(lb1, "apply", "-f", spec.toString());
        assertTrue(lastLine(second).startsWith("no changes"), second.toString());
        assertTrue(lastLine(second).contains("1 removal(s) held back"), second.toString());
        int secondChanges = changes(lb3, spec);
        assertEquals(exportedVips(lb1).keySet().size(), wanted.vips().size() + 1, "the unlisted VIP stays");
        assertVipsMatch(wanted, exportedVips(lb3));

        // A plan made stale by a write between diff and apply is refused, and nothing of it applied.
        FleetSpec moved = weights(wanted, 7);
        Path movedSpec = write("moved.yaml", FleetSpecPrinter.print(moved));
        long planIndex = planJson(lb1, movedSpec).get("state_index").asLong();
        ok(lb2, "vip", "add", "tcp", "10.200.9.9:80");
        LbctlRunner.Result stale =
                lb3.as("alice", "apply", "-f", movedSpec.toString(), "--expect-state-index", "" + planIndex);
        assertEquals(ExitCodes.REJECTED, stale.exit(), stale.toString());
        assertTrue(stale.err().startsWith("lbctl: failed: stale plan, re-run diff"), stale.toString());
        assertEquals(1, stale.err().strip().lines().count(), "one line: " + stale.err());
        assertVipsMatch(wanted, exportedVips(lb1)); // nothing of the stale plan applied
        // Re-run diff, apply at the index it shows: applied.
        long fresh = planJson(lb1, movedSpec).get("state_index").asLong();
        ok(lb3, "apply", "-f", movedSpec.toString(), "--expect-state-index", "" + fresh);
        assertVipsMatch(moved, exportedVips(lb2));

        // --prune removes what the spec does not list; then nothing is left to do.
        int pruned = changes(lb1, movedSpec, "--prune");
        ok(lb1, "apply", "-f", movedSpec.toString(), "--prune");
        assertEquals(moved.vips().keySet(), exportedVips(lb2).keySet());
        LbctlRunner.Result afterPrune = ok(lb3, "apply", "-f", movedSpec.toString(), "--prune");
        assertEquals("no changes against state index " + stateIndex(), lastLine(afterPrune), afterPrune.toString());

        System.out.println("lbctl-apply: export → apply round trip " + roundTrip + " changes; second apply "
                + secondChanges + " changes; stale plan refused (planned at state index " + planIndex
                + ", moved by a write); --prune: " + pruned + " removal(s)");
        assertEquals(0, roundTrip);
        assertEquals(0, secondChanges);
    }

    @Test
    void aScopedSpecTouchesOnlyItsVips() throws Exception {
        ok(lb1, "vip", "add", "tcp", "10.201.0.1:80");
        ok(lb1, "vip", "add", "tcp", "10.201.0.2:80");
        ok(lb1, "real", "add", "tcp", "10.201.0.2:80", "10.9.0.1");
        String team = "scope: [\"tcp 10.201.0.1:80\"]\nvips:\n  - vip: tcp 10.201.0.1:80\n    reals: [10.9.0.2]\n";
        Path spec = write("team.yaml", team);
        SortedMap<VipId, VipSpec> others = exportedVips(lb1);
        others.remove(VipId.parse("tcp 10.201.0.1:80"));
        ok(lb2, "apply", "-f", spec.toString(), "--prune");
        SortedMap<VipId, VipSpec> after = exportedVips(lb3);
        assertEquals(
                List.of(IpAddress.parse("10.9.0.2")),
                List.copyOf(after.get(VipId.parse("tcp 10.201.0.1:80")).reals().keySet()));
        after.remove(VipId.parse("tcp 10.201.0.1:80"));
        assertEquals(others, after, "VIPs outside the scope are untouched, even with --prune");

        // --vip narrows a full spec the same way; a spec VIP outside its own scope is refused.
        Path bad = write("bad.yaml", team + "  - vip: tcp 10.201.0.2:80\n");
        LbctlRunner.Result refused = lb2.as("alice", "diff", "-f", bad.toString());
        assertEquals(ExitCodes.USAGE, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("is not in the spec's scope"), refused.toString());
    }

    @Test
    void theCommandBatchFormatStillApplies() throws Exception {
        Path batch = write(
                "batch.json",
                "{\"commands\": [{\"add_vip\": {\"vip\": {\"address\": \"10.202.0.1\", \"port\": 80,"
                        + " \"protocol\": \"TCP\"}}}]}");
        LbctlRunner.Result r = ok(lb1, "apply", "-f", batch.toString());
        assertTrue(r.out().startsWith("ok: log index"), r.toString());
        assertTrue(exportedVips(lb2).containsKey(VipId.parse("tcp 10.202.0.1:80")));
    }

    @Test
    void drainNamesOnlyPeersAndANoOpSaysSo() {
        LbctlRunner.Result typo = lb1.as("alice", "node", "drain", "lb9");
        assertEquals(ExitCodes.REJECTED, typo.exit(), typo.toString());
        assertEquals(
                "lbctl: not found: command 0 (drain_node): cannot drain node \"lb9\": not a peer of the fleet"
                        + " (peers: lb1, lb2, lb3)",
                typo.err().strip());
        assertFalse(ok(lb2, "node", "list").out().contains("lb9"), "nothing drained");
        LbctlRunner.Result noop = ok(lb2, "node", "undrain", "lb2");
        assertTrue(noop.out().startsWith("ok (no change: node lb2 is not drained)"), noop.toString());
        assertTrue(ok(lb3, "node", "drain", "lb2").out().startsWith("ok: "));
        assertTrue(ok(lb3, "node", "drain", "lb2").out().startsWith("ok (no change: node lb2 is already drained)"));
        ok(lb1, "node", "undrain", "lb2");
    }

    // ---- helpers ----

    private static void seedImperatively() {
        ok(lb1, "vip", "add", "tcp", "10.200.0.1:80");
        ok(lb1, "real", "add", "tcp", "10.200.0.1:80", "10.1.0.1", "10.1.0.2", "--weight", "3");
        ok(lb2, "vip", "add", "udp", "[fc00::1]:443", "--flag", "quic_vip", "--hash", "maglev_v2");
        ok(lb2, "real", "add", "udp", "[fc00::1]:443", "fc00::10");
        ok(lb3, "vip", "add", "tcp", "10.200.0.2:443");
        ok(lb3, "real", "add", "tcp", "10.200.0.2:443", "10.1.0.3");
        ok(lb1, "hc", "add", "7", "10.1.0.1");
        ok(lb1, "quic", "add", "5", "fc00::10");
        ok(lb2, "mac", "set", "02:00:00:00:00:01");
    }

    /** The exported spec with: the first VIP's weights doubled and one real swapped, a new VIP, the last VIP gone. */
    private static FleetSpec edited(FleetSpec spec) {
        SortedMap<VipId, VipSpec> vips = new TreeMap<>(spec.vips());
        VipSpec first = vips.get(vips.firstKey());
        SortedMap<IpAddress, Integer> reals = new TreeMap<>();
        first.reals().forEach((a, w) -> reals.put(a, w * 2));
        reals.remove(reals.lastKey());
        reals.put(IpAddress.parse("10.1.0.99"), 4);
        vips.put(first.id(), new VipSpec(first.id(), first.flags(), first.hashFunction(), reals));
        vips.remove(vips.lastKey());
        VipId added = VipId.parse("tcp 10.200.0.77:8080");
        vips.put(
                added,
                new VipSpec(
                        added, 0, Optional.empty(), new TreeMap<>(java.util.Map.of(IpAddress.parse("10.1.0.1"), 1))));
        return new FleetSpec(spec.scope(), spec.gatewayMac(), vips, spec.healthCheckDsts(), spec.quicServerIds());
    }

    private static FleetSpec weights(FleetSpec spec, int weight) {
        SortedMap<VipId, VipSpec> vips = new TreeMap<>();
        spec.vips().forEach((id, v) -> {
            SortedMap<IpAddress, Integer> reals = new TreeMap<>();
            v.reals().keySet().forEach(a -> reals.put(a, weight));
            vips.put(id, new VipSpec(id, v.flags(), v.hashFunction(), reals));
        });
        return new FleetSpec(spec.scope(), spec.gatewayMac(), vips, spec.healthCheckDsts(), spec.quicServerIds());
    }

    /** Every VIP of the spec is in the fleet with the spec's flags, members and weights (and hash, if given). */
    private static void assertVipsMatch(FleetSpec spec, SortedMap<VipId, VipSpec> fleetVips) {
        for (VipSpec want : spec.vips().values()) {
            VipSpec have = fleetVips.get(want.id());
            assertTrue(have != null, "missing " + want.id());
            assertEquals(want.flags(), have.flags(), want.id().toString());
            assertEquals(want.reals(), have.reals(), want.id().toString());
            want.hashFunction()
                    .ifPresent(h -> assertEquals(h, have.hashFunction().orElseThrow()));
        }
    }

    private static SortedMap<VipId, VipSpec> exportedVips(LbctlRunner node) throws Exception {
        return new TreeMap<>(FleetSpecParser.parse(ok(node, "export").out()).vips());
    }

    private static JsonNode planJson(LbctlRunner node, Path spec, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("-o", "json", "diff", "-f", spec.toString()));
        args.addAll(List.of(more));
        return new ObjectMapper().readTree(ok(node, args.toArray(new String[0])).out());
    }

    /** The number of changes `lbctl diff` plans (held-back removals not counted). */
    private static int changes(LbctlRunner node, Path spec, String... more) throws Exception {
        return planJson(node, spec, more).get("to_apply").asInt();
    }

    private static long stateIndex() throws Exception {
        return new ObjectMapper()
                .readTree(ok(lb1, "-o", "json", "status").out())
                .get("self")
                .get("state_index")
                .asLong();
    }

    private static Path write(String name, String text) throws Exception {
        Path p = storage.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static String lastLine(LbctlRunner.Result r) {
        List<String> lines = r.outLines();
        return lines.get(lines.size() - 1);
    }

    private static LbctlRunner.Result ok(LbctlRunner node, String... args) {
        LbctlRunner.Result r = node.as("alice", args);
        assertEquals(0, r.exit(), r.toString());
        return r;
    }
}
