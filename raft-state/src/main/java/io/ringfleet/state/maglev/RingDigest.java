package io.ringfleet.state.maglev;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A ring's fingerprint, to compare rings across nodes, logs and BPF maps cheaply: SHA-256 over the
 * slots in order, each slot as a 16-bit big-endian real index. The size is implied by the length
 * (2 bytes per slot), so rings of different sizes never share a digest.
 */
public final class RingDigest {

    private RingDigest() {}

    /** SHA-256 (32 bytes) of the ring's slots. */
    public static byte[] sha256(MaglevRing ring) {
        return sha256(Objects.requireNonNull(ring, "ring").slotsView());
    }

    /** SHA-256 (32 bytes) of raw slots, e.g. read back from a BPF map. */
    public static byte[] sha256(char[] slots) {
        Objects.requireNonNull(slots, "slots");
        byte[] bytes = new byte[slots.length * 2];
        for (int i = 0, j = 0; i < slots.length; i++, j += 2) {
            char s = slots[i];
            bytes[j] = (byte) (s >>> 8);
            bytes[j + 1] = (byte) s;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /** Lower-case hex of {@link #sha256(MaglevRing)}. */
    public static String sha256Hex(MaglevRing ring) {
        return HexFormat.of().formatHex(sha256(ring));
    }

    /** Lower-case hex of {@link #sha256(char[])}. */
    public static String sha256Hex(char[] slots) {
        return HexFormat.of().formatHex(sha256(slots));
    }
}
