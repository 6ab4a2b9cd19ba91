package io.ringfleet.state.maglev;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A real's 64-bit hash, the input of Maglev: the value folly's {@code IPAddress::hash()} gives
 * on a little-endian host, which is what Katran feeds its Maglev.
 *
 * <ul>
 *   <li>IPv4 {@code a.b.c.d}: 32-bit FNV-1 over the 4 network-order bytes (offset basis
 *       2166136261, prime 16777619), each byte <em>sign-extended</em> before the XOR; then
 *       {@code mix(2, fnv)} (2 = AF_INET).
 *   <li>IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}): hashed as the IPv4 address.
 *   <li>Other IPv6: SpookyHash V2 {@code Hash128} of the 16 bytes with both seeds 0 gives (h1, h2);
 *       the result is {@code mix(10, mix(h1, h2))} (10 = AF_INET6).
 * </ul>
 *
 * {@code mix(upper, lower)} is CityHash's Hash128to64. Written from the description in the
 * conformance notes, not from folly's sources.
 */
public final class RealHash {

    private static final int FNV32_OFFSET_BASIS = 0x811c9dc5; // 2166136261
    private static final int FNV32_PRIME = 16777619;
    private static final long KMUL = 0x9ddfea08eb382d69L;
    private static final long SPOOKY_CONST = 0xdeadbeefdeadbeefL;
    private static final long AF_INET = 2;
    private static final long AF_INET6 = 10;

    private RealHash() {}

    /** Hash of an address; an {@link Inet6Address} that is IPv4-mapped hashes as IPv4. */
    public static long of(InetAddress address) {
        Objects.requireNonNull(address, "address");
        return of(address.getAddress());
    }

    /**
     * Hash of a raw address in network byte order: 4 bytes (IPv4) or 16 bytes (IPv6; an
     * IPv4-mapped {@code ::ffff:a.b.c.d} hashes as {@code a.b.c.d}).
     *
     * @throws IllegalArgumentException if the array is not 4 or 16 bytes long
     */
    public static long of(byte[] address) {
        Objects.requireNonNull(address, "address");
        if (address.length == 4) {
            return ipv4(address[0], address[1], address[2], address[3]);
        }
        if (address.length == 16) {
            if (isV4Mapped(address)) {
                return ipv4(address[12], address[13], address[14], address[15]);
            }
            return ipv6(address);
        }
        throw new IllegalArgumentException("an address is 4 bytes (IPv4) or 16 bytes (IPv6), got " + address.length);
    }

    /** Hash of an IPv4 address given as its big-endian 32-bit value ({@code 10.0.0.1} = 0x0a000001). */
    public static long ofIpv4(int address) {
        return ipv4((byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address);
    }

    private static long ipv4(byte b0, byte b1, byte b2, byte b3) {
        int h = FNV32_OFFSET_BASIS;
        // Java bytes are signed, so widening a byte to int is exactly the sign extension folly does.
        h = (h * FNV32_PRIME) ^ b0;
        h = (h * FNV32_PRIME) ^ b1;
        h = (h * FNV32_PRIME) ^ b2;
        h = (h * FNV32_PRIME) ^ b3;
        return mix(AF_INET, h & 0xFFFF_FFFFL);
    }

    private static long ipv6(byte[] a) {
        long w0 = le64(a, 0);
        long w1 = le64(a, 8);
        // SpookyHash V2 Hash128, short path, for exactly 16 bytes and seeds (0, 0):
        // one 16-byte block is added to (c, d) and mixed, then the length goes into d's top byte and,
        // as no bytes remain, both c and d get the constant once more before the final mix.
        long h0 = 0;
        long h1 = 0;
        long h2 = SPOOKY_CONST + w0;
        long h3 = SPOOKY_CONST + w1;

        // ShortMix
        h2 = Long.rotateLeft(h2, 50);
        h2 += h3;
        h0 ^= h2;
        h3 = Long.rotateLeft(h3, 52);
        h3 += h0;
        h1 ^= h3;
        h0 = Long.rotateLeft(h0, 30);
        h0 += h1;
        h2 ^= h0;
        h1 = Long.rotateLeft(h1, 41);
        h1 += h2;
        h3 ^= h1;
        h2 = Long.rotateLeft(h2, 54);
        h2 += h3;
        h0 ^= h2;
        h3 = Long.rotateLeft(h3, 48);
        h3 += h0;
        h1 ^= h3;
        h0 = Long.rotateLeft(h0, 38);
        h0 += h1;
        h2 ^= h0;
        h1 = Long.rotateLeft(h1, 37);
        h1 += h2;
        h3 ^= h1;
        h2 = Long.rotateLeft(h2, 62);
        h2 += h3;
        h0 ^= h2;
        h3 = Long.rotateLeft(h3, 34);
        h3 += h0;
        h1 ^= h3;
        h0 = Long.rotateLeft(h0, 5);
        h0 += h1;
        h2 ^= h0;
        h1 = Long.rotateLeft(h1, 36);
        h1 += h2;
        h3 ^= h1;

        h3 += 16L << 56;
        h2 += SPOOKY_CONST;
        h3 += SPOOKY_CONST;

        // ShortEnd
        h3 ^= h2;
        h2 = Long.rotateLeft(h2, 15);
        h3 += h2;
        h0 ^= h3;
        h3 = Long.rotateLeft(h3, 52);
        h0 += h3;
        h1 ^= h0;
        h0 = Long.rotateLeft(h0, 26);
        h1 += h0;
        h2 ^= h1;
        h1 = Long.rotateLeft(h1, 51);
        h2 += h1;
        h3 ^= h2;
        h2 = Long.rotateLeft(h2, 28);
        h3 += h2;
        h0 ^= h3;
        h3 = Long.rotateLeft(h3, 9);
        h0 += h3;
        h1 ^= h0;
        h0 = Long.rotateLeft(h0, 47);
        h1 += h0;
        h2 ^= h1;
        h1 = Long.rotateLeft(h1, 54);
        h2 += h1;
        h3 ^= h2;
        h2 = Long.rotateLeft(h2, 32);
        h3 += h2;
        h0 ^= h3;
        h3 = Long.rotateLeft(h3, 25);
        h0 += h3;
        h1 ^= h0;
        h0 = Long.rotateLeft(h0, 63);
        h1 += h0;

        return mix(AF_INET6, mix(h0, h1));
    }

    /** CityHash's Hash128to64 of (upper, lower), 64-bit wrapping arithmetic. */
    static long mix(long upper, long lower) {
        long a = (lower ^ upper) * KMUL;
        a ^= a >>> 47;
        long b = (upper ^ a) * KMUL;
        b ^= b >>> 47;
        b *= KMUL;
        return b;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static long le64(byte[] a, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (a[off + i] & 0xFFL);
        }
        return v;
    }
}
