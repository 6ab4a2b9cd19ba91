package io.ringfleet.state.snapshot;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.drain;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.markDown;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.setHash;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.SnapshotHeader;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.testing.CommandLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    static final VipKey WEB = vip("10.200.1.1", 80, TCP);
    static final VipKey QUIC = vip("fc00:1::2", 443, UDP);

    static FleetImage richImage() {
        CommandLog fleet = new CommandLog();
        fleet.apply(
                setMac("00:00:de:ad:be:af"),
                addVip(WEB),
                addVip(QUIC, VipFlags.QUIC_VIP | VipFlags.UDP_FLOW_MIGRATION),
                addReals(WEB, "10.0.0.1=1", "10.0.0.2=3", "fc00::9=0"),
                addReals(QUIC, "fc00::1=1", "fc00::2=2"),
                setHash(QUIC, io.ringfleet.api.HashFunction.MAGLEV_V2));
        fleet.apply(
                markDown(QUIC, "fc00::2"),
                mapQuic("1022=10.0.0.1", "1024=fc00::1", "5000=10.9.9.9"),
                setHealthCheck(1, "10.0.0.1"),
                setHealthCheck(-2, "fc00::1"),
                drain("lb-2", "disk swap"));
        return fleet.apply(removeReals(WEB, "10.0.0.1"));
    }

    @Test
    void aSnapshotReadsBackAsTheSameImage() throws IOException {
        FleetImage image = richImage();
        FleetImage loaded = SnapshotCodec.decode(SnapshotCodec.encode(image));
        assertEquals(image, loaded);
        assertEquals(image.provenance(), loaded.provenance());
        assertEquals(image.stateIndex(), loaded.stateIndex());
        assertEquals(image.digestHex(), loaded.digestHex());
        assertEquals(
                image,
                SnapshotCodec.fromRecords(SnapshotCodec.toRecords(image), image.provenance(), image.stateIndex()));
    }

    @Test
    void realsOnlyHeldByQuicMappingsSurviveTheRoundTripWithTheirIndexes() throws IOException {
        FleetImage image = richImage();
        assertEquals(1, image.reals().get(1).orElseThrow().references(), "10.0.0.1 left WEB; QUIC id 1022 holds it");
        FleetImage loaded = SnapshotCodec.decode(SnapshotCodec.encode(image));
        assertEquals(image.reals(), loaded.reals());
    }

    @Test
    void anEmptyImageRoundTrips() throws IOException {
        assertEquals(FleetImage.EMPTY, SnapshotCodec.decode(SnapshotCodec.encode(FleetImage.EMPTY)));
        assertTrue(SnapshotCodec.toRecords(FleetImage.EMPTY).isEmpty());
    }

    @Test
    void equalStatesReachedByDifferentHistoriesWriteTheSameRecords() {
        CommandLog a = new CommandLog();
        a.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1"));
        CommandLog b = new CommandLog();
        b.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        b.apply(removeReals(WEB, "10.0.0.3"));
        assertTrue(a.image().sameStateAs(b.image()));
        // The audit trails differ (two batches against three); the state's records do not.
        assertEquals(stateRecords(a.image()), stateRecords(b.image()));
        assertEquals(a.image().digestHex(), b.image().digestHex());
    }

    @Test
    void aTruncatedSnapshotIsRejected() {
        byte[] bytes = SnapshotCodec.encode(richImage());
        SnapshotFormatException e = assertThrows(
                SnapshotFormatException.class, () -> SnapshotCodec.decode(Arrays.copyOf(bytes, bytes.length - 3)));
        assertTrue(e.getMessage().startsWith("snapshot is"), e.getMessage());
        assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(new byte[0]));
    }

    @Test
    void aSnapshotWhoseRecordsDoNotMatchItsDigestIsRejected() throws IOException {
        FleetImage image = richImage();
        List<FleetRecord> records = stateRecords(image);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.header(image, records.size() - 1).writeDelimitedTo(out);
        for (FleetRecord r : records.subList(0, records.size() - 1)) {
            r.writeDelimitedTo(out);
        }
        SnapshotFormatException e =
                assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(out.toByteArray()));
        assertTrue(
                e.getMessage().startsWith("snapshot state digest mismatch: header says " + image.digestHex()),
                e.getMessage());
    }

    @Test
    void anotherFormatVersionOrTrailingBytesAreRejected() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotHeader.newBuilder().setFormatVersion(2).build().writeDelimitedTo(out);
        SnapshotFormatException e = assertThrows(
                SnapshotFormatException.class, () -> SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray())));
        assertEquals("snapshot format version 2 is not supported: this build reads version 1", e.getMessage());

        byte[] bytes = SnapshotCodec.encode(richImage());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(longer));
    }

    @Test
    void recordsThatDoNotReplayAreReportedWithTheirPosition() throws IOException {
        FleetImage image = richImage();
        List<FleetRecord> records = SnapshotCodec.toRecords(image);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.header(image, 2).writeDelimitedTo(out);
        records.get(1).writeDelimitedTo(out);
        records.get(1).writeDelimitedTo(out);
        SnapshotFormatException e =
                assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(out.toByteArray()));
        assertTrue(e.getMessage().startsWith("snapshot record 1 does not replay"), e.getMessage());
    }

    @Test
    void theHeaderCarriesProvenanceAndDigest() throws IOException {
        FleetImage image = richImage();
        SnapshotHeader h = SnapshotHeader.parseDelimitedFrom(new ByteArrayInputStream(SnapshotCodec.encode(image)));
        assertEquals(1, h.getFormatVersion());
        assertEquals(image.index(), h.getIndex());
        assertEquals(image.term(), h.getTerm());
        assertEquals(image.stateIndex(), h.getStateIndex());
        assertArrayEquals(image.digest(), h.getStateDigest().toByteArray());
    }

    /** The snapshot's records without the audit trail's. */
    private static List<FleetRecord> stateRecords(FleetImage image) {
        return SnapshotCodec.toRecords(image).stream()
                .filter(r -> r.getKindCase() != FleetRecord.KindCase.BATCH_AUDITED)
                .toList();
    }
}
