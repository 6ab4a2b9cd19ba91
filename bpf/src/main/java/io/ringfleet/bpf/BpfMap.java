package io.ringfleet.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An open BPF map (one fd, owned by this object). Keys and values are raw bytes laid out as in
 * rf_abi.h; the codecs in {@code io.ringfleet.bpf.abi} build them. Sizes are checked before any
 * system call: a wrong-sized key is a {@link BpfException} with errno EINVAL.
 *
 * <p>Per-CPU maps: {@link #lookupPerCpu} / {@link #updatePerCpu} read and write one value per
 * possible CPU; {@link #lookup} / {@link #update} are refused for them. Maps that hold fds
 * (PROG_ARRAY, ARRAY_OF_MAPS, ...) take fds on update ({@link #setProgram}, {@link #setInnerMap})
 * and return ids on lookup.
 *
 * <p>Arrays: {@link #lookupRange} / {@link #lookupRangeU32} read a run of consecutive keys with batch lookups
 * (a whole Maglev row in one system call); {@link #updateBatch} writes any set of keys in one call.
 *
 * <p>Not safe to close while another thread uses it.
 */
public final class BpfMap implements AutoCloseable {
    private final int fd;
    private final String name;
    private final int typeCode;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final int id;
    private volatile boolean closed;

    private BpfMap(int fd) {
        this.fd = fd;
        try {
            int[] info = NativeBpf.mapInfo(fd);
            this.typeCode = info[0];
            this.type = MapType.of(info[0]);
            this.keySize = info[1];
            this.valueSize = info[2];
            this.maxEntries = info[3];
            this.flags = info[4];
            this.id = info[5];
            this.name = NativeBpf.mapName(fd);
        } catch (RuntimeException e) {
            NativeBpf.closeFd(fd);
            throw e;
        }
    }

    /** Takes ownership of fd (closes it if it is not a map). */
    static BpfMap adopt(int fd) {
        return new BpfMap(fd);
    }

    /** Opens a map pinned in bpffs. */
    public static BpfMap openPinned(Path path) {
        Objects.requireNonNull(path, "path");
        return new BpfMap(NativeBpf.objGet(path.toString()));
    }

    /** Starts the description of a standalone map (e.g. an inner map of an ARRAY_OF_MAPS). */
    public static Builder builder(MapType type) {
        return new Builder(type);
    }

    /** A standalone map to create with {@link #create()}. */
    public static final class Builder {
        private final MapType type;
        private String name = "";
        private int keySize = -1;
        private int valueSize = -1;
        private int maxEntries = -1;
        private int flags;
        private BpfMap innerMap;

        private Builder(MapType type) {
            this.type = Objects.requireNonNull(type, "type");
            if (type == MapType.OTHER || type == MapType.UNSPEC) {
                throw new IllegalArgumentException("map type must be a concrete type, not " + type);
            }
        }

        /** At most 15 characters (BPF_OBJ_NAME_LEN - 1): letters, digits, '_' and '.'. */
        public Builder name(String name) {
            if (name == null || name.length() > 15 || !name.matches("[A-Za-z0-9_.]*")) {
                throw new IllegalArgumentException("map name must be at most 15 of [A-Za-z0-9_.], got '" + name + "'");
            }
            this.name = name;
            return this;
        }

        public Builder keySize(int bytes) {
            this.keySize = requirePositive("keySize", bytes, true);
            return this;
        }

        public Builder valueSize(int bytes) {
            this.valueSize = requirePositive("valueSize", bytes, false);
            return this;
        }

        public Builder maxEntries(int entries) {
            this.maxEntries = requirePositive("maxEntries", entries, false);
            return this;
        }

        /** BPF_F_* map_flags, e.g. {@link #F_NO_COMMON_LRU}. */
        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        /** The template inner map, for ARRAY_OF_MAPS / HASH_OF_MAPS. */
        public Builder innerMap(BpfMap inner) {
            this.innerMap = Objects.requireNonNull(inner, "inner");
            return this;
        }

        public BpfMap create() {
            if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
                throw new IllegalStateException("keySize, valueSize and maxEntries must all be set (got " + keySize
                        + ", " + valueSize + ", " + maxEntries + ")");
            }
            if ((type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS) && innerMap == null) {
                throw new IllegalStateException(type + " needs innerMap(...)");
            }
            int innerFd = innerMap == null ? -1 : innerMap.fd();
            return new BpfMap(NativeBpf.mapCreate(type.code(), name, keySize, valueSize, maxEntries, flags, innerFd));
        }

        private static int requirePositive(String what, int v, boolean allowZero) {
            if (v < 0 || (v == 0 && !allowZero)) {
                throw new IllegalArgumentException(what + " must be " + (allowZero ? ">= 0" : "> 0") + ", got " + v);
            }
            return v;
        }
    }

    /** BPF_F_NO_PREALLOC. */
    public static final int F_NO_PREALLOC = 1;
    /** BPF_F_NO_COMMON_LRU: one LRU list per CPU (the connection table's inner maps). */
    public static final int F_NO_COMMON_LRU = 1 << 1;

    // ---- facts ----

    public String name() {
        return name;
    }

    public MapType type() {
        return type;
    }

    public int typeCode() {
        return typeCode;
    }

    public int keySize() {
        return keySize;
    }

    /** The size of one value (of one CPU's value, for per-CPU maps). */
    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int flags() {
        return flags;
    }

    /** The kernel's id of this map. */
    public int id() {
        return id;
    }

    /** The fd; valid until {@link #close()}. */
    public int fd() {
        ensureOpen("fd");
        return fd;
    }

    /** Pins this map at path (a file in bpffs that must not exist yet). */
    public void pin(Path path) {
        ensureOpen("pin");
        NativeBpf.objPin(fd, path.toString());
    }

    // ---- elements ----

    public void update(byte[] key, byte[] value) {
        update(key, value, UpdateFlag.ANY);
    }

    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        checkNotPerCpu("update");
        checkKey("update", key);
        checkValue("update", value, valueSize);
        NativeBpf.mapUpdate(fd, key, keySize, value, valueSize, flag.bits());
    }

    /** The value at key; empty when absent. For fd-holding maps the value is the object's id. */
    public Optional<byte[]> lookup(byte[] key) {
        checkNotPerCpu("lookup");
        checkKey("lookup", key);
        return Optional.ofNullable(NativeBpf.mapLookup(fd, key, keySize, valueSize));
    }

    /** Deletes key; false when it was absent. */
    public boolean delete(byte[] key) {
        checkKey("delete", key);
        return NativeBpf.mapDelete(fd, key, keySize);
    }

    /** Every key, by BPF_MAP_GET_NEXT_KEY (a map changing meanwhile may give a partial view). */
    public List<byte[]> keys() {
        ensureOpen("keys");
        List<byte[]> keys = new ArrayList<>();
        byte[] k = NativeBpf.mapNextKey(fd, null, keySize);
        while (k != null && keys.size() <= maxEntries) {
            keys.add(k);
            k = NativeBpf.mapNextKey(fd, k, keySize);
        }
        return keys;
    }

    // ---- per-CPU ----

    /** Bytes one CPU's value takes in a per-CPU buffer: valueSize rounded up to 8. */
    public int perCpuStride() {
        return (valueSize + 7) & ~7;
    }

    private int elementBytes() {
        return type.isPerCpu() ? perCpuStride() * Bpf.numPossibleCpus() : valueSize;
    }

    /** One value per possible CPU (index = CPU), each valueSize bytes; empty when the key is absent. */
    public Optional<List<byte[]>> lookupPerCpu(byte[] key) {
        checkPerCpu("lookupPerCpu");
        checkKey("lookupPerCpu", key);
        byte[] all = NativeBpf.mapLookup(fd, key, keySize, elementBytes());
        return all == null ? Optional.empty() : Optional.of(splitPerCpu(all));
    }

    /** Writes one value per possible CPU (values.size() must be {@link Bpf#numPossibleCpus()}). */
    public void updatePerCpu(byte[] key, List<byte[]> values, UpdateFlag flag) {
        checkPerCpu("updatePerCpu");
        checkKey("updatePerCpu", key);
        NativeBpf.mapUpdate(fd, key, keySize, joinPerCpu("updatePerCpu", values), elementBytes(), flag.bits());
    }

    /** Writes the same value on every CPU (e.g. zero to reset a counter). */
    public void updateAllCpus(byte[] key, byte[] value) {
        checkValue("updateAllCpus", value, valueSize);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < Bpf.numPossibleCpus(); i++) {
            values.add(value);
        }
        updatePerCpu(key, values, UpdateFlag.ANY);
    }

    private List<byte[]> splitPerCpu(byte[] all) {
        int n = Bpf.numPossibleCpus();
        int stride = perCpuStride();
        List<byte[]> out = new ArrayList<>(n);
        for (int cpu = 0; cpu < n; cpu++) {
            out.add(Arrays.copyOfRange(all, cpu * stride, cpu * stride + valueSize));
        }
        return out;
    }

    private byte[] joinPerCpu(String op, List<byte[]> values) {
        int n = Bpf.numPossibleCpus();
        if (values == null || values.size() != n) {
            throw BpfException.invalid(
                    op,
                    "map '" + name + "' needs one value per possible CPU (" + n + "), got "
                            + (values == null ? "null" : values.size()));
        }
        int stride = perCpuStride();
        byte[] all = new byte[stride * n];
        for (int cpu = 0; cpu < n; cpu++) {
            checkValue(op, values.get(cpu), valueSize);
            System.arraycopy(values.get(cpu), 0, all, cpu * stride, valueSize);
        }
        return all;
    }

    // ---- batches ----

    /** A key and its value (for per-CPU maps: all CPUs' values, see {@link #splitPerCpuValue}). */
    public record Entry(byte[] key, byte[] value) {}

    /**
     * Updates keys[i] to values[i] with BPF_MAP_UPDATE_BATCH, or element by element for map types
     * whose kernel has no batch update. For per-CPU maps each value holds all CPUs' values
     * ({@link #perCpuStride()} bytes per CPU). Returns the number of elements written.
     */
    public int updateBatch(List<byte[]> keys, List<byte[]> values, UpdateFlag flag) {
        ensureOpen("updateBatch");
        if (keys.size() != values.size()) {
            throw BpfException.invalid("updateBatch", keys.size() + " keys but " + values.size() + " values");
        }
        if (keys.isEmpty()) {
            return 0;
        }
        int vs = elementBytes();
        byte[] k = new byte[keySize * keys.size()];
        byte[] v = new byte[vs * keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            checkKey("updateBatch", keys.get(i));
            checkValue("updateBatch", values.get(i), vs);
            System.arraycopy(keys.get(i), 0, k, i * keySize, keySize);
            System.arraycopy(values.get(i), 0, v, i * vs, vs);
        }
        try {
            return NativeBpf.mapUpdateBatch(fd, k, keySize, v, vs, keys.size(), flag.bits());
        } catch (BpfException e) {
            if (!unsupported(e)) {
                throw e;
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            NativeBpf.mapUpdate(fd, keys.get(i), keySize, values.get(i), vs, flag.bits());
        }
        return keys.size();
    }

    /**
     * Every entry, read with BPF_MAP_LOOKUP_BATCH in chunks of chunkSize, or key by key for map
     * types without batch lookup. Per-CPU values hold all CPUs' values.
     */
    public List<Entry> entries(int chunkSize) {
        ensureOpen("entries");
        if (chunkSize <= 0) {
            throw BpfException.invalid("entries", "chunkSize must be > 0, got " + chunkSize);
        }
        int vs = elementBytes();
        List<Entry> out = new ArrayList<>();
        int tok = Math.max(keySize, 4);
        byte[] in = null;
        byte[] outTok = new byte[tok];
        byte[] k = new byte[keySize * chunkSize];
        byte[] v = new byte[vs * chunkSize];
        try {
            while (true) {
                long r = NativeBpf.mapLookupBatch(fd, in, outTok, k, keySize, v, vs, chunkSize);
                int n = (int) r;
                for (int i = 0; i < n; i++) {
                    out.add(new Entry(
                            Arrays.copyOfRange(k, i * keySize, (i + 1) * keySize),
                            Arrays.copyOfRange(v, i * vs, (i + 1) * vs)));
                }
                if ((r >>> 32) != 0) {
                    return out;
                }
                in = outTok.clone();
            }
        } catch (BpfException e) {
            if (!unsupported(e) || !out.isEmpty()) {
                throw e;
            }
        }
        for (byte[] key : keys()) {
            byte[] val = NativeBpf.mapLookup(fd, key, keySize, vs);
            if (val != null) {
                out.add(new Entry(key, val));
            }
        }
        return out;
    }

    public List<Entry> entries() {
        return entries(256);
    }

    /** Splits a per-CPU value from {@link #entries()} into one array per CPU. */
    public List<byte[]> splitPerCpuValue(byte[] all) {
        checkPerCpu("splitPerCpuValue");
        checkValue("splitPerCpuValue", all, elementBytes());
        return splitPerCpu(all);
    }

    // ---- ranges of arrays ----

    /** Values a ranged read asks the kernel for in one BPF_MAP_LOOKUP_BATCH call, at most (in bytes). */
    static final int RANGE_CHUNK_BYTES = 1 << 20;

    /**
     * ARRAY / PERCPU_ARRAY: the values of keys {@code firstKey .. firstKey + count - 1}, in key order, packed
     * into {@code valuesOut} from index 0 ({@link #rangeValueBytes()} bytes per key: valueSize, or for a per-CPU
     * map every CPU's value at {@link #perCpuStride()} bytes each). Read with BPF_MAP_LOOKUP_BATCH, in calls of at
     * most {@value #RANGE_CHUNK_BYTES} bytes of values, each starting after the last key read; where the kernel
     * has no batch lookup (ENOTSUPP / EOPNOTSUPP) key by key with BPF_MAP_LOOKUP_ELEM, with the same result.
     *
     * <p>The range must lie within the array: {@code 0 <= firstKey} and {@code firstKey + count <= maxEntries}.
     * A range that runs past the last entry is refused (EINVAL, nothing read), never clamped: every key of an
     * array exists, so such a range is a wrong index (say a row number beyond the map), and a short read would
     * pass for zeros. {@code count == 0} reads nothing. {@code valuesOut} must hold at least
     * {@code count * rangeValueBytes()} bytes; bytes past that are left as they were.
     *
     * <p>Each batch call is atomic per element only: a map written meanwhile may give a mix of old and new
     * values. Every failure is a {@link BpfException} with the kernel's errno (EIO if the kernel's answer is not
     * the keys asked for).
     *
     * @return count, the number of values written to valuesOut
     */
    public int lookupRange(int firstKey, int count, byte[] valuesOut) {
        checkRange("lookupRange", firstKey, count);
        int vs = rangeValueBytes();
        if (valuesOut == null || valuesOut.length < (long) count * vs) {
            throw BpfException.invalid(
                    "lookupRange",
                    "map '" + name + "': " + count + " values of " + vs
                            + " bytes need " + (long) count * vs + " bytes, valuesOut has "
                            + (valuesOut == null ? "null" : valuesOut.length + " bytes"));
        }
        return lookupRangeBatch(firstKey, count, valuesOut, Math.max(1, RANGE_CHUNK_BYTES / vs));
    }

    /**
     * ARRAY with 4-byte values (ring slots, real indexes): keys {@code firstKey .. firstKey + count - 1} as
     * little-endian u32s, element i for key firstKey + i. Same reading, range rule and errors as
     * {@link #lookupRange(int, int, byte[])}.
     */
    public int[] lookupRangeU32(int firstKey, int count) {
        checkRange("lookupRangeU32", firstKey, count);
        if (type.isPerCpu() || valueSize != 4) {
            throw BpfException.invalid(
                    "lookupRangeU32",
                    "map '" + name + "' is " + type + " with " + valueSize + "-byte values, not an ARRAY of u32");
        }
        if (count > Integer.MAX_VALUE / 4) {
            throw BpfException.invalid("lookupRangeU32", "count " + count + " is more than one Java array holds");
        }
        byte[] raw = new byte[count * 4];
        lookupRange(firstKey, count, raw);
        int[] out = new int[count];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    /** Bytes one key's value takes in {@link #lookupRange}'s output: valueSize, or all CPUs' for per-CPU maps. */
    public int rangeValueBytes() {
        return elementBytes();
    }

    /** The batch read, chunkEntries keys per call (package-private so tests can cross chunk boundaries). */
    int lookupRangeBatch(int firstKey, int count, byte[] valuesOut, int chunkEntries) {
        checkRange("lookupRange", firstKey, count);
        if (count == 0) {
            return 0;
        }
        int vs = rangeValueBytes();
        int chunk = Math.min(count, chunkEntries);
        byte[] keys = new byte[keySize * chunk];
        // One call covering the whole range writes straight into valuesOut (the shim fills it from index 0).
        byte[] values = chunk == count ? valuesOut : new byte[vs * chunk];
        byte[] token = new byte[Math.max(keySize, 4)];
        int done = 0;
        while (done < count) {
            int want = Math.min(chunk, count - done);
            int next = firstKey + done;
            // in_batch is the last key already read: the kernel resumes at the one after it; null starts at 0.
            byte[] in = next == 0 ? null : u32(next - 1);
            long r;
            try {
                r = NativeBpf.mapLookupBatch(fd, in, token, keys, keySize, values, vs, want);
            } catch (BpfException e) {
                if (done == 0 && unsupported(e)) {
                    return lookupRangeByElement(firstKey, count, valuesOut);
                }
                throw e;
            }
            int n = (int) r;
            if (n <= 0 || n > want) {
                throw BpfException.of(
                        "lookupRange",
                        BpfException.EIO,
                        "map '" + name + "': the kernel returned " + n + " of " + want + " entries from key " + next
                                + " (max_entries " + maxEntries + ")");
            }
            ByteBuffer kb = ByteBuffer.wrap(keys).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                int k = kb.getInt(i * keySize);
                if (k != next + i) {
                    throw BpfException.of(
                            "lookupRange",
                            BpfException.EIO,
                            "map '" + name + "': asked for key " + (next + i) + ", the kernel returned key "
                                    + Integer.toUnsignedString(k));
                }
            }
            if (values != valuesOut) {
                System.arraycopy(values, 0, valuesOut, done * vs, n * vs);
            }
            done += n;
        }
        return count;
    }

    /** The fallback: one BPF_MAP_LOOKUP_ELEM per key (package-private so tests compare it with the batch read). */
    int lookupRangeByElement(int firstKey, int count, byte[] valuesOut) {
        checkRange("lookupRange", firstKey, count);
        int vs = rangeValueBytes();
        for (int i = 0; i < count; i++) {
            byte[] v = NativeBpf.mapLookup(fd, u32(firstKey + i), keySize, vs);
            if (v == null) {
                throw BpfException.of(
                        "lookupRange",
                        BpfException.EIO,
                        "map '" + name + "': key " + (firstKey + i) + " of an array is absent");
            }
            System.arraycopy(v, 0, valuesOut, i * vs, vs);
        }
        return count;
    }

    private void checkRange(String op, int firstKey, int count) {
        ensureOpen(op);
        if (type != MapType.ARRAY && type != MapType.PERCPU_ARRAY) {
            throw BpfException.invalid(op, "map '" + name + "' is " + type + ", not an ARRAY or PERCPU_ARRAY");
        }
        if (firstKey < 0 || count < 0 || (long) firstKey + count > maxEntries) {
            throw BpfException.invalid(
                    op,
                    "map '" + name + "': keys " + firstKey + " .. " + ((long) firstKey + count - 1)
                            + " (count " + count + ") are not within its " + maxEntries + " entries (0 .. "
                            + (maxEntries - 1) + ")");
        }
    }

    private static boolean unsupported(BpfException e) {
        return e.errno() == BpfException.ENOTSUPP || e.errno() == BpfException.EOPNOTSUPP;
    }

    // ---- fd-holding maps ----

    /** PROG_ARRAY: puts prog in slot index. */
    public void setProgram(int index, BpfProgram prog) {
        requireType("setProgram", MapType.PROG_ARRAY);
        NativeBpf.mapUpdate(fd, u32(index), keySize, u32(prog.fd()), valueSize, UpdateFlag.ANY.bits());
    }

    /** PROG_ARRAY: empties slot index; false when it was empty. */
    public boolean clearSlot(int index) {
        requireType("clearSlot", MapType.PROG_ARRAY);
        return delete(u32(index));
    }

    /** ARRAY_OF_MAPS / HASH_OF_MAPS: puts inner at key. */
    public void setInnerMap(byte[] key, BpfMap inner) {
        if (type != MapType.ARRAY_OF_MAPS && type != MapType.HASH_OF_MAPS) {
            throw BpfException.invalid("setInnerMap", "map '" + name + "' is " + type + ", not a map of maps");
        }
        checkKey("setInnerMap", key);
        NativeBpf.mapUpdate(fd, key, keySize, u32(inner.fd()), valueSize, UpdateFlag.ANY.bits());
    }

    // ---- helpers ----

    /** A little-endian u32 (array indexes, counters' keys, fds). */
    public static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** Reads a little-endian u32 from the start of b. */
    public static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw BpfException.of(op, BpfException.EBADF, "map '" + name + "' is closed");
        }
    }

    private void checkKey(String op, byte[] key) {
        ensureOpen(op);
        if (key == null || key.length != keySize) {
            throw BpfException.invalid(
                    op,
                    "map '" + name + "' has " + keySize + "-byte keys, got "
                            + (key == null ? "null" : key.length + " bytes"));
        }
    }

    private void checkValue(String op, byte[] value, int size) {
        if (value == null || value.length != size) {
            throw BpfException.invalid(
                    op,
                    "map '" + name + "' has " + size + "-byte values, got "
                            + (value == null ? "null" : value.length + " bytes"));
        }
    }

    private void checkNotPerCpu(String op) {
        ensureOpen(op);
        if (type.isPerCpu()) {
            throw BpfException.invalid(op, "map '" + name + "' is " + type + ": use " + op + "PerCpu");
        }
    }

    private void checkPerCpu(String op) {
        ensureOpen(op);
        if (!type.isPerCpu()) {
            throw BpfException.invalid(op, "map '" + name + "' is " + type + ", not a per-CPU map");
        }
    }

    private void requireType(String op, MapType t) {
        ensureOpen(op);
        if (type != t) {
            throw BpfException.invalid(op, "map '" + name + "' is " + type + ", not " + t);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NativeBpf.closeFd(fd);
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + " " + type + " id=" + id + " key=" + keySize + " value=" + valueSize + " max="
                + maxEntries + (closed ? " closed" : "") + "]";
    }
}
