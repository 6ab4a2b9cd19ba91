package io.ringfleet.state;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.modifyFlags;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setHash;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.maglev.MaglevReal;
import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RingDiff;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FleetRingsTest {
    static final int SMALL_RING = 4099;
    static final io.ringfleet.api.VipKey WEB = vip("10.200.0.1", 80, TCP);
    static final io.ringfleet.api.VipKey DNS = vip("10.200.0.2", 53, UDP);
    static final io.ringfleet.api.VipKey V6 = vip("fc00:1::1", 443, TCP);

    static CommandLog threeVips() {
        CommandLog fleet = new CommandLog();
        fleet.apply(addVip(WEB), addVip(DNS), addVip(V6));
        fleet.apply(addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=2"));
        fleet.apply(addReals(DNS, "10.0.0.2=5", "10.0.0.4=0"));
        fleet.apply(addReals(V6, "fc00::1=1", "fc00::2=3"));
        return fleet;
    }

    /** The ring built straight from a VIP's members, as the Maglev engineer's tests build rings. */
    static MaglevRing expectedRing(VipImage vip, int size) throws UnknownHostException {
        List<MaglevReal> reals = new ArrayList<>();
        for (VipReal r : vip.reals()) {
            if (r.weight() > 0) {
                reals.add(MaglevReal.of(
                        r.realIndex(), InetAddress.getByAddress(r.address().bytes()), r.weight()));
            }
        }
        return MaglevRing.build(
                reals,
                size,
                vip.hashFunction() == HashFunction.MAGLEV_V2 ? MaglevRing.Variant.V2 : MaglevRing.Variant.V1);
    }

    @Test
    void everyVipGetsTheKatranRingOfItsMembersHashAndSize() throws Exception {
        CommandLog fleet = threeVips();
        fleet.apply(setHash(DNS, io.ringfleet.api.HashFunction.MAGLEV_V2));
        FleetImage image = fleet.image();
        FleetRings rings = FleetRings.of(image, FleetLimits.DEFAULT);
        assertEquals(MaglevRing.DEFAULT_SIZE, rings.ringSize());
        assertEquals(image.vips().vipNums(), rings.rings().keySet());
        for (VipImage vip : image.vips().all()) {
            MaglevRing ring = rings.ring(vip.vipNum()).orElseThrow().ring();
            assertEquals(expectedRing(vip, MaglevRing.DEFAULT_SIZE), ring, "ring of " + vip);
        }
        // weight 0 stays out of the ring; the only weighted DNS member owns every slot
        MaglevRing dns = rings.ring(image.vips().get(key(DNS)).orElseThrow().vipNum())
                .orElseThrow()
                .ring();
        int onlyReal =
                image.reals().get(IpAddress.parse("10.0.0.2")).orElseThrow().index();
        assertEquals(MaglevRing.DEFAULT_SIZE, dns.slotsOwnedBy(onlyReal));
        assertEquals(image.provenance(), rings.provenance());
        assertEquals(3, rings.rebuilt());
        assertEquals(3, rings.changes().size(), "the first view's changes are relative to all-zero rings");
    }

    @Test
    void onlyTheVipWhoseMembersChangedIsRebuilt() {
        CommandLog fleet = threeVips();
        FleetRings before = FleetRings.of(fleet.image(), SMALL_RING);
        FleetImage base = fleet.image();
        fleet.apply(setWeights(WEB, "10.0.0.2=7"));
        FleetRings after = before.next(fleet.image());
        int web = fleet.image().vips().byKey().get(key(WEB));
        assertEquals(1, after.rebuilt());
        assertEquals(Set.of(web), after.changes().keySet());
        for (int other : fleet.image().vips().vipNums()) {
            if (other != web) {
                assertSame(
                        before.ring(other).orElseThrow(),
                        after.ring(other).orElseThrow(),
                        "shared ring of vip " + other);
            }
        }
        FleetRings.RingChange change = after.changes().get(web);
        assertTrue(change.before().isPresent() && change.after().isPresent());
        RingDiff diff = change.diff();
        assertFalse(diff.isEmpty());
        assertEquals(
                after.ring(web).orElseThrow().ring(),
                diff.applyTo(before.ring(web).orElseThrow().ring()));
        assertNotEquals(before.digestHex(), after.digestHex());
        assertTrue(base.index() < fleet.image().index());
    }

    @Test
    void flagChangesAndUnrelatedRecordsRebuildNothing() {
        CommandLog fleet = threeVips();
        FleetRings before = FleetRings.of(fleet.image(), SMALL_RING);
        FleetImage base = fleet.image();
        io.ringfleet.state.command.CommandResult result =
                fleet.submit(modifyFlags(WEB, VipFlags.HASH_NO_SRC_PORT, 0), Commands.setMac("02:00:00:00:00:01"));
        assertTrue(result.isOk() && result.records().size() == 2, result.toString());
        FleetDelta delta = new FleetDelta(base);
        delta.replayAll(result.records());
        FleetImage next = delta.apply(fleet.image().provenance());
        FleetRings viaImage = before.next(fleet.image());
        assertEquals(0, viaImage.rebuilt());
        assertTrue(viaImage.changes().isEmpty());
        assertEquals(before.digestHex(), viaImage.digestHex(), "rings and reals did not change");
        assertEquals(fleet.image().provenance(), viaImage.provenance());
        FleetRings viaDelta = before.next(delta, next);
        assertEquals(0, viaDelta.rebuilt());
        assertEquals(before.digestHex(), viaDelta.digestHex());
    }

    @Test
    void removedVipDiffsToZeroSlotsAndAddedVipFromZeroSlots() {
        CommandLog fleet = threeVips();
        FleetRings before = FleetRings.of(fleet.image(), SMALL_RING);
        int dns = fleet.image().vips().byKey().get(key(DNS));
        fleet.apply(removeVip(DNS));
        FleetRings afterRemove = before.next(fleet.image());
        FleetRings.RingChange removed = afterRemove.changes().get(dns);
        assertTrue(removed.after().isEmpty());
        char[] slots = before.ring(dns).orElseThrow().ring().slots();
        removed.diff().applyTo(slots);
        assertArrayEquals(new char[SMALL_RING], slots);
        assertTrue(afterRemove.ring(dns).isEmpty());

        fleet.apply(addVip(vip("10.200.0.9", 8080, TCP)));
        fleet.apply(addReals(vip("10.200.0.9", 8080, TCP), "10.0.0.8=1"));
        FleetRings afterAdd = afterRemove.next(fleet.image());
        int added = fleet.image().vips().byKey().get(key(vip("10.200.0.9", 8080, TCP)));
        FleetRings.RingChange change = afterAdd.changes().get(added);
        assertTrue(change.before().isEmpty());
        assertEquals(afterAdd.ring(added).orElseThrow().ring(), change.diff().applyTo(MaglevRing.empty(SMALL_RING)));
    }

    @Test
    void aHashFunctionChangeRebuildsTheRing() {
        CommandLog fleet = threeVips();
        FleetRings before = FleetRings.of(fleet.image(), SMALL_RING);
        fleet.apply(setHash(WEB, io.ringfleet.api.HashFunction.MAGLEV_V2));
        FleetRings after = before.next(fleet.image());
        int web = fleet.image().vips().byKey().get(key(WEB));
        assertEquals(Set.of(web), after.changes().keySet());
        assertEquals(HashFunction.MAGLEV_V2, after.ring(web).orElseThrow().hashFunction());
    }

    @Test
    void theDigestDependsOnTheStateNotOnTheHistory() {
        CommandLog a = new CommandLog();
        a.apply(addVip(WEB));
        a.apply(addReals(WEB, "10.0.0.1=1", "10.0.0.2=2"));
        CommandLog b = new CommandLog();
        b.apply(addVip(WEB), addReals(WEB, "10.0.0.1=9"));
        b.apply(addReals(WEB, "10.0.0.2=2"));
        b.apply(setWeights(WEB, "10.0.0.1=1"));
        b.apply(addReals(WEB, "10.0.0.3=1"));
        b.apply(removeReals(WEB, "10.0.0.3"));
        FleetRings ra = FleetRings.of(a.image(), SMALL_RING);
        FleetRings rb = FleetRings.of(b.image(), SMALL_RING);
        assertEquals(ra.digestHex(), rb.digestHex());
        assertNotEquals(ra.digestHex(), FleetRings.of(a.image(), 4093).digestHex(), "the ring size is in the digest");
        assertEquals(
                FleetRings.empty(SMALL_RING).digestHex(),
                FleetRings.of(FleetImage.EMPTY, SMALL_RING).digestHex());
    }

    /**
     * Along a seeded random history: the incremental views (by image and by delta) equal a full rebuild at
     * every step, and each step's diffs turn the previous rings into the next ones.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42})
    void incrementalViewsEqualAFullRebuildAtEveryStepOfARandomHistory(long seed) {
        List<RandomHistoryTest.Entry> history = RandomHistoryTest.history(seed);
        FleetImage previous = FleetImage.EMPTY;
        FleetRings byImage = FleetRings.empty(SMALL_RING);
        FleetRings byDelta = FleetRings.empty(SMALL_RING);
        int rebuiltIncrementally = 0;
        int rebuiltFully = 0;
        for (RandomHistoryTest.Entry e : history) {
            FleetDelta delta = new FleetDelta(previous);
            delta.replayAll(e.records());
            FleetImage image = delta.apply(e.at());
            assertEquals(e.image(), image);
            FleetRings full = FleetRings.of(image, SMALL_RING);
            FleetRings nextByImage = byImage.next(image);
            FleetRings nextByDelta = byDelta.next(delta, image);
            String where = "seed " + seed + " at " + e.at();
            assertEquals(full.digestHex(), nextByImage.digestHex(), where);
            assertEquals(full.digestHex(), nextByDelta.digestHex(), where);
            assertEquals(nextByImage.changes().keySet(), nextByDelta.changes().keySet(), where);
            for (Map.Entry<Integer, FleetRings.VipRing> r : full.rings().entrySet()) {
                assertEquals(
                        r.getValue().ring(),
                        nextByDelta.ring(r.getKey()).orElseThrow().ring(),
                        where);
            }
            for (FleetRings.RingChange c : nextByDelta.changes().values()) {
                MaglevRing old =
                        byDelta.ring(c.vipNum()).map(FleetRings.VipRing::ring).orElse(MaglevRing.empty(SMALL_RING));
                MaglevRing now = nextByDelta
                        .ring(c.vipNum())
                        .map(FleetRings.VipRing::ring)
                        .orElse(MaglevRing.empty(SMALL_RING));
                assertEquals(now, c.diff().applyTo(old), where + " vip " + c.vipNum());
            }
            rebuiltIncrementally += nextByDelta.rebuilt();
            rebuiltFully += full.rebuilt();
            previous = image;
            byImage = nextByImage;
            byDelta = nextByDelta;
        }
        assertTrue(
                rebuiltIncrementally < rebuiltFully / 3,
                "incremental rebuilt " + rebuiltIncrementally + " rings, full rebuilds " + rebuiltFully);
    }

    private static VipKey key(io.ringfleet.api.VipKey k) {
        return new VipKey(IpAddress.parse(k.getAddress()), k.getPort(), Protocol.fromProto(k.getProtocol()));
    }
}
