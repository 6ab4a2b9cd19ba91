package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.BpfMap;
import java.util.Arrays;
import java.util.HexFormat;

/** A map key as the kernel sees it (its bytes), usable in hash maps and sorted collections. Immutable. */
final class ByteKey implements Comparable<ByteKey> {
    private final byte[] bytes;

    private ByteKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Takes {@code bytes} without copying: the caller must not change them afterwards. */
    static ByteKey of(byte[] bytes) {
        return new ByteKey(bytes);
    }

    static ByteKey u32(int v) {
        return new ByteKey(BpfMap.u32(v));
    }

    /** The bytes themselves (not a copy): never modify them. */
    byte[] bytes() {
        return bytes;
    }

    /** The key read as a little-endian u32 (array indexes, ids). */
    int asU32() {
        return BpfMap.u32(bytes);
    }

    @Override
    public int compareTo(ByteKey o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
