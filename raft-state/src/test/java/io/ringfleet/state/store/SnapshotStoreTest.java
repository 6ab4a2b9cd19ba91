package io.ringfleet.state.store;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.drain;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.markDown;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.RealsAdded;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;
import org.rocksdb.SstFileWriter;

class SnapshotStoreTest {
    @TempDir
    Path dir;

    /** An image touching every domain: VIPs (v4, v6, UDP with flow migration), reals, marks, QUIC, drains, MAC. */
    static FleetImage richImage(long term, long index) {
        CommandLog fleet = new CommandLog(FleetLimits.DEFAULT);
        io.ringfleet.api.VipKey web = vip("10.200.0.1", 80, TCP);
        io.ringfleet.api.VipKey dns = vip("10.200.0.2", 53, UDP);
        io.ringfleet.api.VipKey v6 = vip("fc00:1::1", 443, TCP);
        fleet.apply(addVip(web), addVip(dns, VipFlags.UDP_FLOW_MIGRATION), addVip(v6));
        for (int i = 0; i < 20; i++) {
            fleet.apply(addReals(web, "10.0.1." + (i + 1) + "=" + (1 + i % 3)));
        }
        fleet.apply(addReals(dns, "10.0.1.1=5", "10.0.2.1=0"));
        fleet.apply(addReals(v6, "fc00::1=1", "fc00::2=2"));
        fleet.apply(markDown(dns, "10.0.1.1"));
        fleet.apply(
                setHealthCheck(7, "10.9.9.9"),
                mapQuic("3=10.0.3.3"),
                drain("lb-2", "disk swap"),
                setMac("02:00:00:00:00:01"));
        FleetImage image = fleet.image();
        if (index < image.index()) {
            throw new IllegalArgumentException("the rich image needs index >= " + image.index());
        }
        return image.withProvenance(new Provenance(term, index));
    }

    @Test
    void aSnapshotReadsBackAsTheSameImageAndProvenance() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        FleetImage image = richImage(3, 40);
        SnapshotFile file = store.write(image);
        assertEquals(dir.resolve("snapshot.3_40.sst"), file.path());
        assertEquals(3, file.term());
        assertEquals(40, file.index());
        FleetImage read = store.read(file);
        assertEquals(image, read);
        assertEquals(image.digestHex(), read.digestHex());
        assertEquals(image.stateIndex(), read.stateIndex());

        FleetImage empty = FleetImage.EMPTY.withProvenance(new Provenance(1, 5));
        assertEquals(empty, store.read(store.write(empty)));
    }

    @Test
    void snapshotsAreListedByIndexAndTheLatestIsTheHighest() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        store.write(richImage(1, 30));
        store.write(richImage(2, 200));
        store.write(richImage(2, 100));
        Files.writeString(dir.resolve("snapshot.9_999.sst.md5"), "x");
        Files.writeString(dir.resolve("notes.txt"), "x");
        List<Long> indexes = new ArrayList<>();
        store.list().forEach(f -> indexes.add(f.index()));
        assertEquals(List.of(30L, 100L, 200L), indexes);
        assertEquals(200, store.latest().orElseThrow().index());
    }

    @Test
    void rewritingTheSameTermAndIndexReplacesTheFileAtomically() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        FleetImage image = richImage(2, 50);
        store.write(image);
        SnapshotFile again = store.write(image);
        assertEquals(image, store.read(again));
        assertEquals(1, store.list().size());
    }

    /** Ways a file goes bad on disk; each must be refused with the file named and a reason. */
    enum Damage {
        FLIP_A_BYTE_IN_THE_MIDDLE(f -> flip(f, size(f) / 2)),
        FLIP_A_BYTE_NEAR_THE_START(f -> flip(f, 10)),
        FLIP_THE_LAST_BYTE(f -> flip(f, size(f) - 1)),
        TRUNCATE_TO_HALF(f -> truncate(f, size(f) / 2)),
        TRUNCATE_THE_LAST_BYTE(f -> truncate(f, size(f) - 1)),
        EMPTY_FILE(f -> truncate(f, 0)),
        GARBAGE(f -> write(
                f, "this is not a snapshot at all, just some text".repeat(50).getBytes())),
        ZEROES(f -> write(f, new byte[(int) size(f)])),
        BYTES_APPENDED(f -> append(f, new byte[] {1, 2, 3, 4}));

        final Consumer<Path> apply;

        Damage(Consumer<Path> apply) {
            this.apply = apply;
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Damage.class)
    void aDamagedSnapshotIsRefusedWithTheFileAndTheReason(Damage damage) throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile file = store.write(richImage(4, 77));
        damage.apply.accept(file.path());
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(file));
        assertEquals(file.path(), e.file());
        assertTrue(e.getMessage().startsWith("corrupt snapshot " + file.path() + ": "), e.getMessage());
        assertFalse(e.reason().isBlank());
    }

    @Test
    void aTableWithoutItsSealWasNotCompletelyWrittenAndIsRefused() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile file = store.write(richImage(2, 60));
        rewrite(file.path(), (key, value) -> key[0] == 's' ? null : value);
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(file));
        assertTrue(e.reason().contains("not completely written"), e.reason());
    }

    @Test
    void aRecordChangedBehindRocksDbsBackIsCaughtByTheSeal() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile file = store.write(richImage(2, 60));
        // A valid table (fresh block checksums) whose RealsAdded carries another weight.
        rewrite(file.path(), (key, value) -> {
            if (key[0] != 'r') {
                return value;
            }
            FleetRecord r = parse(value);
            if (!r.hasRealsAdded()) {
                return value;
            }
            RealsAdded.Builder b = r.getRealsAdded().toBuilder();
            VipRealEntry first = b.getReals(0);
            b.setReals(0, first.toBuilder().setWeight(first.getWeight() + 1));
            return FleetRecord.newBuilder().setRealsAdded(b).build().toByteArray();
        });
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(file));
        assertTrue(e.reason().contains("seal checksum mismatch"), e.reason());
    }

    @Test
    void aSnapshotUnderAnotherNameIsRefused() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile file = store.write(richImage(2, 60));
        Path renamed = dir.resolve(SnapshotFile.fileName(2, 61));
        Files.copy(file.path(), renamed);
        CorruptSnapshotException e = assertThrows(
                CorruptSnapshotException.class,
                () -> store.read(SnapshotFile.parse(renamed).orElseThrow()));
        assertTrue(e.reason().contains("file name says (t2, i61)"), e.reason());
    }

    @Test
    void aMissingFileIsNotCorruptButMissing() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        assertThrows(
                NoSuchFileException.class, () -> store.read(new SnapshotFile(dir.resolve("snapshot.1_1.sst"), 1, 1)));
    }

    @Test
    void aLeftoverTempFromAnInterruptedWriteIsIgnoredAndThenRemoved() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile good = store.write(richImage(1, 120));
        // An interrupted write of a newer snapshot: a temp file with half a table in it.
        SnapshotFile newer = store.write(richImage(1, 130));
        Path tmp = dir.resolve(newer.path().getFileName() + ".tmp");
        Files.move(newer.path(), tmp);
        truncate(tmp, size(tmp) / 2);
        assertEquals(List.of(good), store.list());
        assertEquals(good, store.latest().orElseThrow());
        assertEquals(richImage(1, 120), store.read(store.latest().orElseThrow()));

        new SnapshotStore(dir);
        assertFalse(Files.exists(tmp), "reopening the store removes the leftover temp");
        assertEquals(List.of(good), store.list());
    }

    @Test
    void retentionKeepsTheNewestAndTheProtectedOneAndOrphanMd5Files() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile s10 = store.write(richImage(1, 110));
        store.write(richImage(1, 120));
        SnapshotFile s30 = store.write(richImage(1, 130));
        SnapshotFile s40 = store.write(richImage(1, 140));
        Files.writeString(dir.resolve(s10.path().getFileName() + ".md5"), "x");
        Files.writeString(dir.resolve(s40.path().getFileName() + ".md5"), "x");
        List<SnapshotFile> deleted = store.retain(2, Optional.of(s10));
        assertEquals(List.of(120L), deleted.stream().map(SnapshotFile::index).toList());
        assertEquals(List.of(s10, s30, s40), store.list());
        store.retain(2, Optional.empty());
        assertEquals(List.of(s30, s40), store.list());
        assertFalse(Files.exists(dir.resolve(s10.path().getFileName() + ".md5")));
        assertTrue(Files.exists(dir.resolve(s40.path().getFileName() + ".md5")));
    }

    @Test
    void aQuarantinedSnapshotIsNoLongerListed() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile older = store.write(richImage(1, 110));
        SnapshotFile newer = store.write(richImage(1, 120));
        Path moved = store.quarantine(newer);
        assertTrue(Files.exists(moved));
        assertTrue(moved.getFileName().toString().startsWith("snapshot.1_120.sst.corrupt-"), moved.toString());
        assertEquals(List.of(older), store.list());
    }

    @Test
    void theSnapshotHoldsTheCodecRecordsInOrderBetweenHeaderAndSeal() throws Exception {
        SnapshotStore store = new SnapshotStore(dir);
        FleetImage image = richImage(5, 90);
        SnapshotFile file = store.write(image);
        List<String> kinds = new ArrayList<>();
        List<FleetRecord> records = new ArrayList<>();
        try (Options o = new Options();
                SstFileReader reader = new SstFileReader(o)) {
            reader.open(file.path().toString());
            try (ReadOptions ro = new ReadOptions();
                    SstFileReaderIterator it = reader.newIterator(ro)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    kinds.add(String.valueOf((char) it.key()[0]));
                    if (it.key()[0] == 'r') {
                        records.add(parse(it.value()));
                    }
                }
            }
        }
        assertEquals("h", kinds.get(0));
        assertEquals("s", kinds.get(kinds.size() - 1));
        assertEquals(SnapshotCodec.toRecords(image), records);
    }

    // ---- helpers ----

    interface Rewriter {
        byte[] apply(byte[] key, byte[] value) throws Exception;
    }

    /** Rewrites a table key by key (null drops the key), with fresh RocksDB checksums. */
    static void rewrite(Path file, Rewriter rewriter) throws Exception {
        Path out = file.resolveSibling("rewritten.sst");
        try (Options o = new Options();
                SstFileReader reader = new SstFileReader(o);
                EnvOptions env = new EnvOptions();
                SstFileWriter writer = new SstFileWriter(env, o)) {
            reader.open(file.toString());
            writer.open(out.toString());
            try (ReadOptions ro = new ReadOptions();
                    SstFileReaderIterator it = reader.newIterator(ro)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] value = rewriter.apply(it.key(), it.value());
                    if (value != null) {
                        writer.put(it.key(), value);
                    }
                }
            }
            writer.finish();
        }
        Files.move(out, file, StandardCopyOption.REPLACE_EXISTING);
    }

    static FleetRecord parse(byte[] value) {
        try {
            return FleetRecord.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void flip(Path f, long at) {
        try {
            byte[] b = Files.readAllBytes(f);
            b[(int) at] ^= 0x5a;
            Files.write(f, b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void truncate(Path f, long length) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void write(Path f, byte[] bytes) {
        try {
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void append(Path f, byte[] bytes) {
        try {
            Files.write(f, bytes, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
