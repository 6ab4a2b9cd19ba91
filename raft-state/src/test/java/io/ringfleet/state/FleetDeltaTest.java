package io.ringfleet.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.HealthCheckMarkSet;
import io.ringfleet.api.QuicServerIdMapped;
import io.ringfleet.api.QuicServerIdUnmapped;
import io.ringfleet.api.RealsAdded;
import io.ringfleet.api.RealsRemoved;
import io.ringfleet.api.VipAdded;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.api.VipRemoved;
import io.ringfleet.state.testing.Commands;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetDeltaTest {
    static FleetRecord vipAdded(int num, String address, int port, io.ringfleet.api.Protocol proto) {
        return FleetRecord.newBuilder()
                .setVipAdded(VipAdded.newBuilder()
                        .setVipNum(num)
                        .setAddress(IpAddress.parse(address).toByteString())
                        .setPort(port)
                        .setProtocol(proto))
                .build();
    }

    static FleetRecord realsAdded(int vipNum, Object... indexAddressWeight) {
        RealsAdded.Builder b = RealsAdded.newBuilder().setVipNum(vipNum);
        for (int i = 0; i < indexAddressWeight.length; i += 3) {
            b.addReals(VipRealEntry.newBuilder()
                    .setRealIndex((Integer) indexAddressWeight[i])
                    .setAddress(
                            IpAddress.parse((String) indexAddressWeight[i + 1]).toByteString())
                    .setWeight((Integer) indexAddressWeight[i + 2]));
        }
        return FleetRecord.newBuilder().setRealsAdded(b).build();
    }

    static FleetRecord realsRemoved(int vipNum, Integer... indexes) {
        return FleetRecord.newBuilder()
                .setRealsRemoved(RealsRemoved.newBuilder().setVipNum(vipNum).addAllRealIndexes(List.of(indexes)))
                .build();
    }

    static FleetRecord vipRemoved(int vipNum) {
        return FleetRecord.newBuilder()
                .setVipRemoved(VipRemoved.newBuilder().setVipNum(vipNum))
                .build();
    }

    static FleetRecord quicMapped(int id, int index, String address) {
        return FleetRecord.newBuilder()
                .setQuicServerIdMapped(QuicServerIdMapped.newBuilder()
                        .setServerId(id)
                        .setRealIndex(index)
                        .setAddress(IpAddress.parse(address).toByteString()))
                .build();
    }

    static FleetImage replay(FleetImage base, long index, FleetRecord... records) {
        FleetDelta delta = new FleetDelta(base);
        delta.replayAll(List.of(records));
        return delta.apply(new Provenance(1, index));
    }

    @Test
    void imagePlusDeltaIsTheNextImage() {
        FleetImage image = replay(
                FleetImage.EMPTY,
                1,
                vipAdded(0, "10.200.1.1", 80, Commands.TCP),
                realsAdded(0, 1, "10.0.0.1", 1, 2, "10.0.0.2", 3));

        VipImage vip = image.vips().get(0).orElseThrow();
        assertEquals("10.200.1.1:80/tcp", vip.key().toString());
        assertEquals(
                List.of(new VipReal(1, IpAddress.parse("10.0.0.1"), 1), new VipReal(2, IpAddress.parse("10.0.0.2"), 3)),
                vip.reals());
        assertEquals(
                new Real(2, IpAddress.parse("10.0.0.2"), 1),
                image.reals().get(IpAddress.parse("10.0.0.2")).orElseThrow());
        assertEquals(new Provenance(1, 1), image.provenance());
        assertEquals(1, image.stateIndex());
    }

    @Test
    void oneRecordPerDeltaAndAllRecordsInOneDeltaGiveTheSameImage() {
        FleetRecord[] records = {
            vipAdded(0, "10.200.1.1", 80, Commands.TCP),
            vipAdded(1, "fc00:1::1", 443, Commands.UDP),
            realsAdded(0, 1, "10.0.0.1", 1, 2, "fc00::2", 1),
            realsAdded(1, 2, "fc00::2", 7),
            realsRemoved(0, 2),
            vipRemoved(0),
        };
        FleetImage stepwise = FleetImage.EMPTY;
        for (FleetRecord r : records) {
            stepwise = replay(stepwise, 6, r);
        }
        FleetImage once = replay(FleetImage.EMPTY, 6, records);
        assertEquals(once, stepwise);
        assertEquals(1, once.vips().size());
        assertEquals(
                List.of(2), List.copyOf(once.reals().indexes()), "real 1 went with vip 0; real 2 is still in vip 1");
    }

    @Test
    void unchangedSubImagesAreSharedWithTheNextImage() {
        FleetImage first = replay(
                FleetImage.EMPTY, 1, vipAdded(0, "10.200.1.1", 80, Commands.TCP), realsAdded(0, 1, "10.0.0.1", 1));
        FleetImage second = replay(
                first,
                2,
                FleetRecord.newBuilder()
                        .setHealthCheckMarkSet(HealthCheckMarkSet.newBuilder()
                                .setSomark(7)
                                .setAddress(IpAddress.parse("10.0.0.1").toByteString()))
                        .build());
        assertSame(first.vips(), second.vips());
        assertSame(first.reals(), second.reals());
        assertSame(first.nodes(), second.nodes());
        assertTrue(second.healthChecks().destination(7).isPresent());
    }

    @Test
    void aRealSharedByTwoVipsKeepsItsIndexUntilTheLastReferenceGoes() {
        FleetImage image = replay(
                FleetImage.EMPTY,
                1,
                vipAdded(0, "10.200.1.1", 80, Commands.TCP),
                vipAdded(1, "10.200.1.1", 80, Commands.UDP),
                realsAdded(0, 1, "10.0.0.1", 1),
                realsAdded(1, 1, "10.0.0.1", 1),
                quicMapped(1022, 1, "10.0.0.1"));
        assertEquals(3, image.reals().get(1).orElseThrow().references());

        image = replay(image, 2, vipRemoved(0), realsRemoved(1, 1));
        assertEquals(1, image.reals().get(1).orElseThrow().references(), "the QUIC mapping still holds it");

        image = replay(
                image,
                3,
                FleetRecord.newBuilder()
                        .setQuicServerIdUnmapped(
                                QuicServerIdUnmapped.newBuilder().setServerId(1022))
                        .build());
        assertTrue(image.reals().isEmpty());
    }

    @Test
    void remappingAQuicIdReleasesThePreviousReal() {
        FleetImage image = replay(FleetImage.EMPTY, 1, quicMapped(5, 1, "10.0.0.1"));
        image = replay(image, 2, quicMapped(5, 2, "10.0.0.2"));
        assertEquals(List.of(2), List.copyOf(image.reals().indexes()));
        assertEquals(2, image.quicIds().get(5).orElseThrow().realIndex());
    }

    @Test
    void theDeltaTellsPublishersWhatChanged() {
        FleetImage base = replay(FleetImage.EMPTY, 1, vipAdded(0, "10.200.1.1", 80, Commands.TCP));
        FleetDelta delta = new FleetDelta(base);
        delta.replayAll(List.of(
                vipRemoved(0),
                vipAdded(0, "10.200.1.2", 80, Commands.TCP),
                vipAdded(1, "10.200.1.3", 0, Commands.TCP)));
        FleetImage next = delta.apply(new Provenance(2, 2));

        VipsDelta vips = delta.vipsDelta().orElseThrow();
        assertEquals(List.of(0, 1), List.copyOf(vips.touchedVipNums()));
        assertEquals("10.200.1.1:80/tcp", vips.before(0).orElseThrow().key().toString());
        assertEquals(
                "10.200.1.2:80/tcp", vips.after(0).orElseThrow().key().toString(), "vip_num 0 was freed and reused");
        assertFalse(vips.before(1).isPresent());
        assertTrue(delta.realsDelta().isEmpty(), "no real was touched");
        assertTrue(delta.gatewayMacChange().isEmpty());
        assertEquals(next.vips().get(0), vips.after(0));
    }

    @Test
    void anEmptyDeltaKeepsTheStateIndexAndMovesTheProvenance() {
        FleetImage base = replay(FleetImage.EMPTY, 3, vipAdded(0, "10.200.1.1", 80, Commands.TCP));
        FleetImage next = new FleetDelta(base).apply(new Provenance(2, 9));
        assertEquals(3, next.stateIndex());
        assertEquals(9, next.index());
        assertTrue(next.sameStateAs(base));
        assertEquals(base.digestHex(), next.digestHex(), "the digest covers the state, not the provenance");
    }

    @Test
    void recordsThatDoNotFitTheImageAreReplayErrors() {
        FleetImage base = replay(
                FleetImage.EMPTY, 1, vipAdded(0, "10.200.1.1", 80, Commands.TCP), realsAdded(0, 1, "10.0.0.1", 1));
        assertReplayFails(
                base, vipAdded(0, "10.200.1.9", 80, Commands.TCP), "vip_num 0 is already in use by 10.200.1.1:80/tcp");
        assertReplayFails(
                base, vipAdded(1, "10.200.1.1", 80, Commands.TCP), "vip 10.200.1.1:80/tcp already exists as vip_num 0");
        assertReplayFails(base, vipRemoved(4), "vip_num 4 is not in use");
        assertReplayFails(base, realsAdded(0, 1, "10.0.0.1", 1), "real index 1 is already in vip 10.200.1.1:80/tcp");
        assertReplayFails(base, quicMapped(9, 1, "10.0.0.2"), "real index 1 is 10.0.0.1, not 10.0.0.2");
        assertReplayFails(base, quicMapped(9, 2, "10.0.0.1"), "real 10.0.0.1 already has index 1, not 2");
        assertReplayFails(base, realsAdded(0, 0, "10.0.0.5", 1), "real index must be >= 1 (0 is reserved), got 0");
        assertReplayFails(base, FleetRecord.getDefaultInstance(), "the record has no kind set");
    }

    private static void assertReplayFails(FleetImage base, FleetRecord record, String why) {
        FleetDelta delta = new FleetDelta(base);
        ReplayException e = assertThrows(ReplayException.class, () -> delta.replay(record));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertThrows(
                IllegalStateException.class, () -> delta.apply(new Provenance(1, 2)), "a broken delta is unusable");
    }

    @Test
    void anAppliedDeltaIsFrozen() {
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        delta.replay(vipAdded(0, "10.200.1.1", 80, Commands.TCP));
        delta.apply(new Provenance(1, 1));
        assertThrows(IllegalStateException.class, () -> delta.replay(vipAdded(1, "10.200.1.2", 80, Commands.TCP)));
    }
}
