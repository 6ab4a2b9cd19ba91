package io.ringfleet.state;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setSettings;
import static io.ringfleet.state.testing.Commands.setWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.Command;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ring history names reals by index, so an index must not be handed to a new real while a history still names
 * the old one: each history entry holds a reference on the reals it names (fleet version 4). A real removed from
 * its VIP therefore stays in the reals table, same index and address, until no history names it.
 */
class RealIndexReuseTest {
    private static final io.ringfleet.api.VipKey WEB = Commands.vip("10.200.1.1", 80, Commands.TCP);
    private static final io.ringfleet.api.VipKey API = Commands.vip("10.200.1.2", 443, Commands.TCP);
    private static final int V4 = FleetVersions.Rule.RING_HISTORY.version();

    private static CommandLog logWithWeb() {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V4);
        log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        return log;
    }

    private static int index(FleetImage image, String address) {
        return image.reals().get(IpAddress.parse(address)).orElseThrow().index();
    }

    /** Every real a ring history names is in the reals table under that index with that address. */
    private static void assertHistoriesNameTheirReals(FleetImage image, String where) {
        for (VipImage vip : image.vips().all()) {
            for (RingInput input : vip.ringHistory()) {
                for (VipReal owner : input.owners()) {
                    Real real = image.reals()
                            .get(owner.realIndex())
                            .orElseThrow(() -> new AssertionError(where + ": " + vip.key() + "'s history names index "
                                    + owner.realIndex() + ", which is not in the reals table"));
                    assertEquals(owner.address(), real.address(), where + ": index " + owner.realIndex());
                }
            }
        }
    }

    /** References = memberships + history entries naming the real (no QUIC mappings in these logs). */
    private static void assertReferencesCounted(FleetImage image, String where) {
        Map<Integer, Integer> expected = new HashMap<>();
        for (VipImage vip : image.vips().all()) {
            vip.reals().forEach(r -> expected.merge(r.realIndex(), 1, Integer::sum));
            for (RingInput input : vip.ringHistory()) {
                input.owners().forEach(r -> expected.merge(r.realIndex(), 1, Integer::sum));
            }
        }
        Map<Integer, Integer> actual = new HashMap<>();
        image.reals().all().forEach(r -> actual.put(r.index(), r.references()));
        assertEquals(expected, actual, where);
    }

    @Test
    void aRemovedRealKeepsItsIndexWhileAHistoryNamesIt() {
        CommandLog log = logWithWeb();
        int removed = index(log.image(), "10.0.0.3");
        log.apply(removeReals(WEB, "10.0.0.3"));
        assertEquals(
                IpAddress.parse("10.0.0.3"),
                log.image().reals().get(removed).orElseThrow().address());

        log.apply(addReals(WEB, "10.0.0.9=1"));
        assertNotEquals(removed, index(log.image(), "10.0.0.9"));
        assertHistoriesNameTheirReals(log.image(), "after the addition");

        // Depth 1: the next ring change pushes an input without 10.0.0.3, so no history names it any more.
        log.apply(setWeights(WEB, "10.0.0.1=2"));
        assertTrue(log.image().reals().get(removed).isEmpty(), "freed with the last history naming it");
        log.apply(addReals(WEB, "10.0.0.10=1"));
        assertEquals(removed, index(log.image(), "10.0.0.10"), "lowest free first again");
        assertReferencesCounted(log.image(), "end");
    }

    @Test
    void aRemovalAndAnAdditionInOneEntryDoNotShareAnIndex() {
        CommandLog log = logWithWeb();
        int removed = index(log.image(), "10.0.0.3");
        log.apply(removeReals(WEB, "10.0.0.3"), addReals(WEB, "10.0.0.9=1"));
        assertNotEquals(removed, index(log.image(), "10.0.0.9"));
        assertHistoriesNameTheirReals(log.image(), "one entry");
        assertReferencesCounted(log.image(), "one entry");
    }

    @Test
    void aRemovedVipGivesUpWhatItsHistoryHeld() {
        CommandLog log = logWithWeb();
        log.apply(removeReals(WEB, "10.0.0.3"));
        log.apply(removeVip(WEB));
        assertTrue(log.image().reals().isEmpty(), log.image().reals().all().toString());
    }

    @Test
    void loweringTheDepthGivesUpTheCutEntries() {
        CommandLog log = logWithWeb();
        log.apply(setSettings(log.image().settings().settings().orElseThrow().toProto().toBuilder()
                .setRingHistoryDepth(3)
                .build()));
        log.apply(removeReals(WEB, "10.0.0.3"));
        log.apply(removeReals(WEB, "10.0.0.2"));
        assertTrue(log.image().reals().get(IpAddress.parse("10.0.0.3")).isPresent());
        log.apply(setSettings(log.image().settings().settings().orElseThrow().toProto().toBuilder()
                .setRingHistoryDepth(1)
                .build()));
        assertTrue(log.image().reals().get(IpAddress.parse("10.0.0.3")).isEmpty(), "only in the cut entry");
        assertTrue(log.image().reals().get(IpAddress.parse("10.0.0.2")).isPresent(), "in the kept entry");
        assertReferencesCounted(log.image(), "lowered");
    }

    @Test
    void aSnapshotKeepsTheRealsOnlyAHistoryNames() throws Exception {
        CommandLog log = logWithWeb();
        log.apply(removeReals(WEB, "10.0.0.3"));
        FleetImage loaded = SnapshotCodec.decode(SnapshotCodec.encode(log.image()));
        assertEquals(log.image(), loaded);
        assertEquals(log.image().reals(), loaded.reals());
        assertEquals(log.image().digestHex(), loaded.digestHex());
    }

    @Test
    void seededChurnNeverLetsAHistoryNameAnotherReal() throws Exception {
        long seed = 1307;
        Random random = new Random(seed);
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V4);
        log.apply(setSettings(log.image().settings().settings().orElseThrow().toProto().toBuilder()
                .setRingHistoryDepth(2)
                .build()));
        log.apply(addVip(WEB), addVip(API), addReals(WEB, "10.0.1.1=1"), addReals(API, "10.0.1.2=1"));
        Map<Integer, IpAddress> everHeld = new HashMap<>();
        int reusedForAnother = 0;
        for (int step = 0; step < 400; step++) {
            List<Command> batch = new ArrayList<>();
            for (int c = 1 + random.nextInt(3); c > 0; c--) {
                change(log.image(), random).ifPresent(batch::add);
            }
            if (batch.isEmpty() || !log.submit(batch.toArray(Command[]::new)).isOk()) {
                continue;
            }
            String where = "seed " + seed + " step " + step;
            assertHistoriesNameTheirReals(log.image(), where);
            assertReferencesCounted(log.image(), where);
            for (Real r : log.image().reals().all()) {
                IpAddress was = everHeld.put(r.index(), r.address());
                reusedForAnother += was != null && !was.equals(r.address()) ? 1 : 0;
            }
            if (step % 100 == 0) {
                assertEquals(log.image(), SnapshotCodec.decode(SnapshotCodec.encode(log.image())), where);
            }
        }
        assertTrue(reusedForAnother > 0, "the churn must free indexes and hand them to other reals");
    }

    /** One add, remove or weight change of a VIP, drawn from a pool of 12 addresses. */
    private static java.util.Optional<Command> change(FleetImage image, Random random) {
        io.ringfleet.api.VipKey key = random.nextBoolean() ? WEB : API;
        VipImage vip = image.vips()
                .get(new VipKey(IpAddress.parse(key.getAddress()), key.getPort(), Protocol.TCP))
                .orElseThrow();
        String address = "10.0.1." + (1 + random.nextInt(12));
        boolean member = vip.reals().stream().anyMatch(r -> r.address().equals(IpAddress.parse(address)));
        int action = random.nextInt(3);
        if (!member) {
            return java.util.Optional.of(addReals(key, address + "=" + (1 + random.nextInt(5))));
        }
        if (action == 0 && vip.realCount() > 1) {
            return java.util.Optional.of(removeReals(key, address));
        }
        return java.util.Optional.of(setWeights(key, address + "=" + (1 + random.nextInt(5))));
    }
}
