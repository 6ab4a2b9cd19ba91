package io.ringfleet.bpf;

/** bpf_map_type values (include/uapi/linux/bpf.h) that Ringfleet uses or may meet. */
public enum MapType {
    UNSPEC(0),
    HASH(1),
    ARRAY(2),
    PROG_ARRAY(3),
    PERF_EVENT_ARRAY(4),
    PERCPU_HASH(5),
    PERCPU_ARRAY(6),
    STACK_TRACE(7),
    CGROUP_ARRAY(8),
    LRU_HASH(9),
    LRU_PERCPU_HASH(10),
    LPM_TRIE(11),
    ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13),
    DEVMAP(14),
    SOCKMAP(15),
    CPUMAP(16),
    XSKMAP(17),
    SOCKHASH(18),
    DEVMAP_HASH(25),
    RINGBUF(27),
    /** A type this enum does not name; {@link BpfMap#typeCode()} has the number. */
    OTHER(-1);

    private final int code;

    MapType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Values are one slot per possible CPU, each rounded up to 8 bytes. */
    public boolean isPerCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH;
    }

    /** Values written from user space are fds (of maps or programs); lookups return ids. */
    public boolean holdsFds() {
        return this == PROG_ARRAY
                || this == ARRAY_OF_MAPS
                || this == HASH_OF_MAPS
                || this == PERF_EVENT_ARRAY
                || this == CGROUP_ARRAY;
    }

    public static MapType of(int code) {
        for (MapType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return OTHER;
    }
}
