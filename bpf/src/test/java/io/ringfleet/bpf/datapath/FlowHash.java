package io.ringfleet.bpf.datapath;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The flow hash of FACTS.md, independently of the BPF code: Linux jhash (lookup3) of the source
 * and the two ports, so tests can say which ring slot a flow must land on.
 */
final class FlowHash {
    private FlowHash() {}

    private static final int INITVAL = 0xdeadbeef;
    static final int SEED = 33554944; // 512 * 65537
    static final int V6_SEED = 512;

    /** Ring slot of a flow (ports as numbers; the hash reads them in wire order). */
    static int slot(InetAddress src, int sport, int dport) {
        return (int) (Integer.toUnsignedLong(hash(src, sport, dport)) % BalancerUnderTest.RING_SIZE);
    }

    static int hash(InetAddress src, int sport, int dport) {
        int ports = ByteBuffer.wrap(new byte[] {(byte) (sport >> 8), (byte) sport, (byte) (dport >> 8), (byte) dport})
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt();
        byte[] a = src.getAddress();
        ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
        int s = a.length == 4 ? b.getInt(0) : jhash16(b, V6_SEED);
        return jhash2Words(s, ports, SEED);
    }

    static int jhash2Words(int a, int b, int initval) {
        int start = INITVAL + 8 + initval;
        return finalMix(a + start, b + start, start);
    }

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
