package io.ringfleet.config.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.config.spec.PlannedChange.Action;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.VipFlags;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The spec format (print ⇄ parse), its one-line errors, and the planner's plans. */
class FleetSpecTest {
    private static final long SEED = 15;

    @Test
    void printThenParseGivesTheSameSpecForRandomFleets() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < 200; i++) {
            FleetSpec spec = randomSpec(random);
            String text = FleetSpecPrinter.print(spec);
            assertEquals(spec, FleetSpecParser.parse(text), "seed " + SEED + " spec " + i + ":\n" + text);
            assertEquals(text, FleetSpecPrinter.print(FleetSpecParser.parse(text)), "printing is stable");
            assertTrue(FleetPlanner.plan(spec, spec, 1, true, Optional.empty()).isEmpty(), "a spec vs itself");
        }
    }

    @Test
    void badInputIsOneLineSayingWhereAndWhatIsAllowed() {
        assertError(
                "vips[0].reals[0].weight: weight 70000 is out of range: allowed 0..65535",
                "vips:\n  - vip: tcp 10.0.0.1:80\n    reals: [{address: 10.1.0.1, weight: 70000}]\n");
        assertError(
                "vips[0]: unknown key \"real\": allowed [flags, hash_function, reals, vip]",
                "vips:\n  - vip: tcp 10.0.0.1:80\n    real: []\n");
        assertError(
                "vips[1]: VIP tcp 10.0.0.1:80 is listed twice",
                "vips:\n  - vip: tcp 10.0.0.1:80\n  - vip: TCP 10.0.0.1:80\n");
        assertError(
                "vips[0].flags[0]: \"quic\" is not a VIP flag: allowed " + VipFlags.ALLOWED,
                "vips:\n  - vip: udp 10.0.0.1:443\n    flags: [quic]\n");
        assertError(
                "vips[0].vip: \"fc00::1:80\": an IPv6 VIP is written in brackets, e.g. [fc00::1]:443",
                "vips:\n  - vip: tcp fc00::1:80\n");
        assertError(
                "vips[0].reals[1]: real fc00::5 is listed twice",
                "vips:\n  - vip: tcp [fc00::1]:80\n    reals: [\"fc00::5\", \"fc00:0::5\"]\n");
    }

    @Test
    void aScopedSpecManagesOnlyItsVipsAndNoFleetWideSection() throws Exception {
        assertError(
                "vip tcp 10.0.0.2:80 is not in the spec's scope: add it to scope: or leave it to the team whose"
                        + " spec it is in",
                "scope: [tcp 10.0.0.1:80]\nvips:\n  - vip: tcp 10.0.0.2:80\n");
        assertError(
                "a scoped spec manages VIPs only: remove gateway_mac, health_check_dsts and quic_server_ids"
                        + " (they are fleet-wide), or remove scope:",
                "scope: [tcp 10.0.0.1:80]\ngateway_mac: 02:00:00:00:00:01\nvips: []\n");
        FleetSpec state = FleetSpecParser.parse("vips:\n  - vip: tcp 10.0.0.1:80\n  - vip: tcp 10.0.0.2:80\n"
                + "health_check_dsts: [{somark: 1, address: 10.1.0.1}]\n");
        FleetSpec team = FleetSpecParser.parse("scope: [tcp 10.0.0.3:80]\nvips:\n  - vip: tcp 10.0.0.3:80\n");
        FleetPlan plan = FleetPlanner.plan(team, state, 9, true, Optional.empty());
        assertEquals(1, plan.changes().size(), plan.toString());
        assertEquals(Action.ADD, plan.changes().get(0).action());
        assertEquals(Command.KindCase.ADD_VIP, plan.commands().get(0).getKindCase());
    }

    @Test
    void removalsAreHeldBackWithoutPruneAndComeFirstWithIt() throws Exception {
        FleetSpec state = FleetSpecParser.parse("vips:\n  - vip: tcp 10.0.0.1:80\n    reals: [10.1.0.1]\n"
                + "quic_server_ids: [{server_id: 3, address: 10.1.0.1}]\n");
        FleetSpec wanted = FleetSpecParser.parse(
                "vips:\n  - vip: tcp 10.0.0.9:80\n    reals: [10.1.0.1]\n" + "quic_server_ids: []\n");
        FleetPlan kept = FleetPlanner.plan(wanted, state, 4, false, Optional.empty());
        assertEquals(2, kept.heldBack(), kept.toString());
        assertTrue(
                kept.commands().stream().noneMatch(c -> c.hasRemoveVip() || c.hasUnmapQuicServerIds()),
                kept.toString());
        FleetPlan pruned = FleetPlanner.plan(wanted, state, 4, true, Optional.empty());
        assertEquals(0, pruned.heldBack());
        assertTrue(pruned.commands().get(0).hasRemoveVip()
                || pruned.commands().get(0).hasUnmapQuicServerIds());
        assertEquals(Command.KindCase.ADD_VIP, pruned.commands().get(2).getKindCase(), pruned.toString());
        FleetPlan filtered =
                FleetPlanner.plan(wanted, state, 4, true, Optional.of(Set.of(VipId.parse("tcp 10.0.0.1:80"))));
        assertEquals(1, filtered.commands().size(), "--vip: only that VIP, no fleet-wide section");
        assertTrue(filtered.commands().get(0).hasRemoveVip());
    }

    @Test
    void theOldCommandBatchIsToldApartFromASpec() {
        assertTrue(FleetSpecParser.isCommandBatch("{\"commands\": [{\"add_vip\": {}}]}"));
        assertFalse(FleetSpecParser.isCommandBatch("vips: []\n"));
        assertFalse(FleetSpecParser.isCommandBatch("not: [valid"));
    }

    private static void assertError(String expected, String text) {
        FleetSpecException e = assertThrows(FleetSpecException.class, () -> FleetSpecParser.parse(text));
        assertEquals(expected, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    private static FleetSpec randomSpec(Random r) {
        SortedMap<VipId, VipSpec> vips = new TreeMap<>();
        for (int v = r.nextInt(5); v > 0; v--) {
            boolean six = r.nextBoolean();
            Protocol proto = r.nextBoolean() ? Protocol.TCP : Protocol.UDP;
            VipId id = new VipId(proto, address(r, six), r.nextInt(65536));
            int flags = r.nextInt(VipFlags.KNOWN + 1) & (proto == Protocol.UDP ? VipFlags.KNOWN : ~VipFlags.UDP_ONLY);
            SortedMap<IpAddress, Integer> reals = new TreeMap<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                reals.put(address(r, six), r.nextInt(65536));
            }
            Optional<HashFunction> hash =
                    r.nextBoolean() ? Optional.empty() : Optional.of(HashFunction.values()[r.nextInt(2)]);
            vips.put(id, new VipSpec(id, flags, hash, reals));
        }
        return new FleetSpec(
                Optional.empty(),
                r.nextBoolean()
                        ? Optional.empty()
                        : Optional.of(MacAddress.parse(
                                String.format("%02x:%02x:34:56:12:34", r.nextInt(64) * 4, r.nextInt(256)))),
                vips,
                r.nextBoolean() ? Optional.empty() : Optional.of(ids(r)),
                r.nextBoolean() ? Optional.empty() : Optional.of(ids(r)));
    }

    private static SortedMap<Long, IpAddress> ids(Random r) {
        SortedMap<Long, IpAddress> m = new TreeMap<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            m.put(1 + (r.nextLong() & 0xffff_fffeL) % 0xffff_ffffL, address(r, r.nextBoolean()));
        }
        return m;
    }

    private static IpAddress address(Random r, boolean six) {
        return six
                ? IpAddress.parse(String.format("fc00::%x:%x", r.nextInt(65536), r.nextInt(65536)))
                : IpAddress.parse("10." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
    }
}
