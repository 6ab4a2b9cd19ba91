package io.ringfleet.state.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.SnapshotHeader;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.ReplayException;
import io.ringfleet.state.snapshot.SnapshotCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.rocksdb.CompressionType;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;
import org.rocksdb.SstFileWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of the fleet image on disk: one RocksDB table file (SST, written by RocksDB's
 * {@link SstFileWriter}) per snapshot, {@code snapshot.<term>_<index>.sst}, in one directory.
 *
 * <h2>Layout of a file</h2>
 * Keys in byte order: {@code "h"} the {@link SnapshotHeader} (term, index, state index, record count,
 * image digest); {@code "r" + 8-byte big-endian sequence} one {@link FleetRecord} each, in
 * {@link SnapshotCodec#toRecords} order; {@code "s"} the seal: the record count and a SHA-256 over the
 * header and every record (each length-prefixed). The seal is written last, so a file without it was not
 * completely written.
 *
 * <h2>Writing is atomic</h2>
 * The table goes to {@code <name>.tmp}, is fsynced, renamed over {@code <name>} (an atomic rename), and the
 * directory is fsynced. A crash leaves either no snapshot or a whole one; leftover temp files are never
 * read and are removed when a store is opened. A write that fails throws: it never half-succeeds silently.
 *
 * <h2>Reading verifies everything</h2>
 * RocksDB's block checksums ({@link SstFileReader#verifyChecksum}), the key sequence, the seal, the header
 * against the file name, the replay of the records ({@link SnapshotCodec#fromRecords}) and the rebuilt
 * image's digest against the header's. Any failure is a {@link CorruptSnapshotException} naming the file
 * and the reason: a corrupt snapshot is refused, never loaded.
 *
 * <p>Thread-safety: writes of different snapshots and reads may run concurrently; the caller serializes
 * {@link #retain} and {@link #quarantine} with writes of the same directory.
 */
public final class SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

    static final byte[] HEADER_KEY = {'h'};
    static final byte RECORD_TAG = 'r';
    static final byte[] SEAL_KEY = {'s'};
    static final String TMP_SUFFIX = ".tmp";
    static final String CORRUPT_SUFFIX = ".corrupt";
    private static final String SEAL_FORMAT = "ringfleet-snapshot-seal-v1";
    private static final int SEAL_LENGTH = 8 + 32;

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;

    /**
     * Opens (creating it if needed) a snapshot directory and removes temp files left by interrupted writes.
     */
    public SnapshotStore(Path dir) throws IOException {
        this.dir = Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir);
        removeLeftoverTemps();
    }

    public Path dir() {
        return dir;
    }

    /** The path a snapshot at (term, index) has in this store. */
    public Path pathOf(long term, long index) {
        return dir.resolve(SnapshotFile.fileName(term, index));
    }

    // ---- writing ----

    /**
     * Writes {@code image} as the snapshot named by its provenance (term, index), atomically, replacing a
     * snapshot of the same name.
     *
     * @throws IOException if anything fails; then no file of that name was created or changed
     */
    public SnapshotFile write(FleetImage image) throws IOException {
        Objects.requireNonNull(image, "image");
        Path target = pathOf(image.term(), image.index());
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        Files.deleteIfExists(tmp);
        List<FleetRecord> records = SnapshotCodec.toRecords(image);
        byte[] header = SnapshotCodec.header(image, records.size()).toByteArray();
        MessageDigest seal = newSealDigest();
        chain(seal, header);
        try (EnvOptions env = new EnvOptions();
                Options options = new Options().setCompressionType(CompressionType.LZ4_COMPRESSION);
                SstFileWriter writer = new SstFileWriter(env, options)) {
            writer.open(tmp.toString());
            writer.put(HEADER_KEY, header);
            for (int i = 0; i < records.size(); i++) {
                byte[] record = records.get(i).toByteArray();
                chain(seal, record);
                writer.put(recordKey(i), record);
            }
            writer.put(SEAL_KEY, sealValue(records.size(), seal.digest()));
            writer.finish();
        } catch (RocksDBException | RuntimeException e) {
            deleteQuietly(tmp);
            throw new IOException("cannot write snapshot " + target + ": " + e.getMessage(), e);
        }
        try {
            fsync(tmp);
            moveAtomically(tmp, target);
            fsyncDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new IOException("cannot write snapshot " + target + ": " + e.getMessage(), e);
        }
        return new SnapshotFile(target, image.term(), image.index());
    }

    // ---- reading ----

    /**
     * Reads and verifies a snapshot (see the class comment).
     *
     * @throws CorruptSnapshotException if the file is not a whole, consistent snapshot of this format
     * @throws NoSuchFileException if it does not exist
     */
    public FleetImage read(SnapshotFile file) throws IOException {
        Path path = file.path();
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        if (!Files.isRegularFile(path)) {
            throw new CorruptSnapshotException(path, "not a regular file");
        }
        if (Files.size(path) == 0) {
            throw new CorruptSnapshotException(path, "the file is empty");
        }
        SnapshotHeader header;
        List<FleetRecord> records;
        try (Options options = new Options();
                SstFileReader reader = new SstFileReader(options)) {
            try {
                reader.open(path.toString());
            } catch (RocksDBException e) {
                throw new CorruptSnapshotException(
                        path, "not a readable RocksDB table file (" + e.getMessage() + ")", e);
            }
            try {
                reader.verifyChecksum();
            } catch (RocksDBException e) {
                throw new CorruptSnapshotException(
                        path, "RocksDB block checksum verification failed (" + e.getMessage() + ")", e);
            }
            try (ReadOptions readOptions =
                            new ReadOptions().setVerifyChecksums(true).setFillCache(false);
                    SstFileReaderIterator it = reader.newIterator(readOptions)) {
                it.seekToFirst();
                if (!it.isValid() || !Arrays.equals(it.key(), HEADER_KEY)) {
                    checkStatus(it, path);
                    throw new CorruptSnapshotException(path, "no header record: not a Ringfleet snapshot");
                }
                byte[] headerBytes = it.value();
                header = parseHeader(path, headerBytes);
                checkHeader(path, file, header);
                MessageDigest seal = newSealDigest();
                chain(seal, headerBytes);
                records = new ArrayList<>((int) Math.min(header.getRecordCount(), 1 << 16));
                long count = 0;
                it.next();
                while (it.isValid() && it.key().length > 0 && it.key()[0] == RECORD_TAG) {
                    if (!Arrays.equals(it.key(), recordKey(count))) {
                        throw new CorruptSnapshotException(
                                path,
                                "record " + count + " is missing or out of sequence (key "
                                        + HexFormat.of().formatHex(it.key()) + ")");
                    }
                    byte[] value = it.value();
                    chain(seal, value);
                    try {
                        records.add(FleetRecord.parseFrom(value));
                    } catch (InvalidProtocolBufferException e) {
                        throw new CorruptSnapshotException(
                                path, "record " + count + " is not a FleetRecord (" + e.getMessage() + ")", e);
                    }
                    count++;
                    it.next();
                }
                if (!it.isValid() || !Arrays.equals(it.key(), SEAL_KEY)) {
                    checkStatus(it, path);
                    throw new CorruptSnapshotException(
                            path,
                            "no seal record after " + count + " records: the snapshot was not completely written");
                }
                if (count != header.getRecordCount()) {
                    throw new CorruptSnapshotException(
                            path, "holds " + count + " records but its header says " + header.getRecordCount());
                }
                checkSeal(path, it.value(), count, seal.digest());
                it.next();
                if (it.isValid()) {
                    throw new CorruptSnapshotException(
                            path,
                            "unexpected key after the seal (" + HexFormat.of().formatHex(it.key()) + ")");
                }
                checkStatus(it, path);
            }
        }
        FleetImage image;
        try {
            image = SnapshotCodec.fromRecords(
                    records, new Provenance(header.getTerm(), header.getIndex()), header.getStateIndex());
        } catch (ReplayException | IllegalArgumentException | IllegalStateException e) {
            throw new CorruptSnapshotException(path, "its records do not rebuild an image: " + e.getMessage(), e);
        }
        if (!Arrays.equals(image.digest(), header.getStateDigest().toByteArray())) {
            throw new CorruptSnapshotException(
                    path,
                    "state digest mismatch: the header says "
                            + HexFormat.of().formatHex(header.getStateDigest().toByteArray()) + ", the records rebuild "
                            + image.digestHex());
        }
        return image;
    }

    private static SnapshotHeader parseHeader(Path path, byte[] bytes) throws CorruptSnapshotException {
        try {
            return SnapshotHeader.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptSnapshotException(
                    path, "the header record is not a SnapshotHeader (" + e.getMessage() + ")", e);
        }
    }

    private static void checkHeader(Path path, SnapshotFile file, SnapshotHeader header)
            throws CorruptSnapshotException {
        if (header.getFormatVersion() != SnapshotCodec.FORMAT_VERSION) {
            throw new CorruptSnapshotException(
                    path,
                    "snapshot format version " + header.getFormatVersion()
                            + " is not supported: this build reads version " + SnapshotCodec.FORMAT_VERSION);
        }
        if (header.getTerm() != file.term() || header.getIndex() != file.index()) {
            throw new CorruptSnapshotException(
                    path,
                    "the header says (t" + header.getTerm() + ", i" + header.getIndex() + ") but the file name says (t"
                            + file.term() + ", i" + file.index() + ")");
        }
        if (header.getStateIndex() > header.getIndex() || header.getRecordCount() < 0) {
            throw new CorruptSnapshotException(
                    path,
                    "the header is inconsistent: state index " + header.getStateIndex() + ", index " + header.getIndex()
                            + ", record count " + header.getRecordCount());
        }
    }

    private static void checkSeal(Path path, byte[] value, long count, byte[] sha) throws CorruptSnapshotException {
        if (value.length != SEAL_LENGTH) {
            throw new CorruptSnapshotException(
                    path, "the seal record is " + value.length + " bytes, not " + SEAL_LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        long sealedCount = b.getLong();
        byte[] sealedSha = new byte[32];
        b.get(sealedSha);
        if (sealedCount != count) {
            throw new CorruptSnapshotException(
                    path, "the seal counts " + sealedCount + " records, the file holds " + count);
        }
        if (!MessageDigest.isEqual(sealedSha, sha)) {
            throw new CorruptSnapshotException(
                    path,
                    "seal checksum mismatch: sealed " + HexFormat.of().formatHex(sealedSha) + ", content gives "
                            + HexFormat.of().formatHex(sha));
        }
    }

    private static void checkStatus(SstFileReaderIterator it, Path path) throws CorruptSnapshotException {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new CorruptSnapshotException(path, "RocksDB read failed (" + e.getMessage() + ")", e);
        }
    }

    // ---- the directory ----

    /** Every snapshot file of the directory, ascending index (temp, corrupt and md5 files excluded). */
    public List<SnapshotFile> list() throws IOException {
        List<SnapshotFile> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                SnapshotFile.parse(p).filter(f -> Files.isRegularFile(f.path())).ifPresent(out::add);
            }
        }
        out.sort(SnapshotFile.ORDER);
        return out;
    }

    /** The snapshot with the highest index (unverified: {@link #read} verifies). */
    public Optional<SnapshotFile> latest() throws IOException {
        List<SnapshotFile> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Renames a refused snapshot to {@code <name>.corrupt-<millis>} so that it is never picked again but
     * stays for inspection.
     *
     * @return where it went
     */
    public Path quarantine(SnapshotFile file) throws IOException {
        Path to = file.path()
                .resolveSibling(file.path().getFileName() + CORRUPT_SUFFIX + "-" + System.currentTimeMillis());
        moveAtomically(file.path(), to);
        fsyncDirectory(dir);
        return to;
    }

    /**
     * Keeps the {@code keep} newest snapshots (and {@code protect}, if given) and deletes the others, with
     * md5 side files whose snapshot is gone (Ratis writes them beside installed snapshots).
     *
     * @return the deleted snapshots
     */
    public List<SnapshotFile> retain(int keep, Optional<SnapshotFile> protect) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1 (the latest snapshot is always kept), got " + keep);
        }
        List<SnapshotFile> all = list();
        List<SnapshotFile> deleted = new ArrayList<>();
        for (int i = 0; i < all.size() - keep; i++) {
            SnapshotFile f = all.get(i);
            if (protect.isPresent() && protect.get().path().equals(f.path())) {
                continue;
            }
            Files.deleteIfExists(f.path());
            deleted.add(f);
        }
        try (DirectoryStream<Path> stream =
                Files.newDirectoryStream(dir, "snapshot.*" + SnapshotFile.SUFFIX + ".md5")) {
            for (Path md5 : stream) {
                String name = md5.getFileName().toString();
                if (!Files.exists(md5.resolveSibling(name.substring(0, name.length() - ".md5".length())))) {
                    Files.deleteIfExists(md5);
                }
            }
        }
        return deleted;
    }

    private void removeLeftoverTemps() throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, SnapshotFile.PREFIX + "*" + TMP_SUFFIX)) {
            for (Path tmp : stream) {
                LOG.warn("Removing {}: a snapshot write that did not complete (never read)", tmp);
                Files.deleteIfExists(tmp);
            }
        }
    }

    // ---- helpers ----

    static byte[] recordKey(long sequence) {
        return ByteBuffer.allocate(9).put(RECORD_TAG).putLong(sequence).array();
    }

    private static byte[] sealValue(long count, byte[] sha) {
        return ByteBuffer.allocate(SEAL_LENGTH).putLong(count).put(sha).array();
    }

    private static MessageDigest newSealDigest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            chain(sha, SEAL_FORMAT.getBytes(StandardCharsets.US_ASCII));
            return sha;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static void chain(MessageDigest sha, byte[] value) {
        int n = value.length;
        sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        sha.update(value);
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open or sync a directory; the rename itself is still atomic.
            LOG.debug("cannot fsync directory {}: {}", directory, e.toString());
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + from.getParent() + " cannot rename atomically", e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.toString());
        }
    }

    @Override
    public String toString() {
        return "SnapshotStore{" + dir + "}";
    }
}
