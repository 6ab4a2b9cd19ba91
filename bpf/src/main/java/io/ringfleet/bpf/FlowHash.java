package io.ringfleet.bpf;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The balancer's flow hash in Java, written independently of the BPF code ({@code rf_flow_hash} in
 * {@code rf_balancer.h}): Linux jhash (lookup3) of the source address and the two ports, with an IPv6 source
 * folded to one word first. The ring slot of a new flow is {@code hash % ring size}. The protocol is not hashed.
 *
 * <p>The ports are those the program hashes, after the VIP's flags rewrote them: a VIP matched through its port-0
 * entry hashes destination port 0 (unless HASH_DPORT_ONLY or HASH_SRC_DST_PORT), HASH_NO_SRC_PORT hashes source
 * port 0, HASH_DPORT_ONLY hashes source 0 with the destination port as source port; callers apply those
 * ({@code lb-agent}'s explain does). Checked against Katran's vectors and the kernel program by bpf's tests.
 */
public final class FlowHash {
    private FlowHash() {}

    /** lookup3's start value. */
    private static final int INITVAL = 0xdeadbeef;
    /** RF_FLOW_HASH_SEED: Katran's seed of the 2-word hash (512 * 65537). */
    public static final int SEED = 33554944;
    /** RF_V6_SRC_HASH_SEED: seed of the IPv6 source fold. */
    public static final int V6_SEED = 512;

    /** Ring slot of a flow in a ring of {@code ringSize} slots (ports as numbers). */
    public static int slot(InetAddress src, int sport, int dport, int ringSize) {
        return slot(hash(src, sport, dport), ringSize);
    }

    /** Ring slot of a hash: the unsigned hash modulo the ring size, as the program computes it. */
    public static int slot(int hash, int ringSize) {
        if (ringSize <= 0) {
            throw new IllegalArgumentException("ring size must be positive, got " + ringSize);
        }
        return (int) (Integer.toUnsignedLong(hash) % ringSize);
    }

    public static int hash(InetAddress src, int sport, int dport) {
        return hash(src.getAddress(), sport, dport);
    }

    /**
     * The flow hash of a source address (4 or 16 bytes, network order) and two ports (0..65535, as numbers; the
     * program reads them in wire order as one little-endian word).
     */
    public static int hash(byte[] src, int sport, int dport) {
        if (src.length != 4 && src.length != 16) {
            throw new IllegalArgumentException("a source address has 4 or 16 bytes, got " + src.length);
        }
        int ports = ByteBuffer.wrap(new byte[] {(byte) (sport >> 8), (byte) sport, (byte) (dport >> 8), (byte) dport})
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt();
        ByteBuffer b = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
        int s = src.length == 4 ? b.getInt(0) : jhash16(b, V6_SEED);
        return jhash2Words(s, ports, SEED);
    }

    /** The kernel's jhash_2words(a, b, initval). */
    static int jhash2Words(int a, int b, int initval) {
        int start = INITVAL + 8 + initval;
        return finalMix(a + start, b + start, start);
    }

    /** The kernel's jhash(key, 16, initval) of an IPv6 address, words read little-endian. */
    private static int jhash16(ByteBuffer w, int initval) {
        int a = INITVAL + 16 + initval;
        int b = a;
        int c = a;
        a += w.getInt(0);
        b += w.getInt(4);
        c += w.getInt(8);
        a -= c;
        a ^= Integer.rotateLeft(c, 4);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 6);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 8);
        b += a;
        a -= c;
        a ^= Integer.rotateLeft(c, 16);
        c += b;
        b -= a;
        b ^= Integer.rotateLeft(a, 19);
        a += c;
        c -= b;
        c ^= Integer.rotateLeft(b, 4);
        b += a;
        a += w.getInt(12);
        return finalMix(a, b, c);
    }

    private static int finalMix(int a, int b, int c) {
        c ^= b;
        c -= Integer.rotateLeft(b, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        b ^= a;
        b -= Integer.rotateLeft(a, 25);
        c ^= b;
        c -= Integer.rotateLeft(b, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        b ^= a;
        b -= Integer.rotateLeft(a, 14);
        c ^= b;
        c -= Integer.rotateLeft(b, 24);
        return c;
    }
}
