package io.ringfleet.bpf.testing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Test frames for BPF_PROG_TEST_RUN, shared by bpf's and lb-agent's tests (bpf's test-jar): Ethernet + IPv4/IPv6
 * + UDP, and Ethernet + IPv4 + TCP with every checksum filled in.
 */
public final class Frames {
    private Frames() {}

    public static final byte[] DST_MAC = {0x02, 0, 0, 0, 0, 0x02};
    public static final byte[] SRC_MAC = {0x02, 0, 0, 0, 0, 0x01};
    public static final int TCP_SYN = 0x02;
    public static final int TCP_ACK = 0x10;

    /** IPv4 (DF, id 0) or IPv6 + UDP; the UDP checksum is left 0 (test_run does not check it). */
    public static byte[] udp(InetAddress src, InetAddress dst, int sport, int dport, byte[] payload) {
        boolean v6 = src.getAddress().length == 16;
        int ipHeader = v6 ? 40 : 20;
        int udpLen = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipHeader + udpLen);
        b.put(DST_MAC).put(SRC_MAC).putShort((short) (v6 ? 0x86DD : 0x0800));
        if (v6) {
            b.putInt(6 << 28).putShort((short) udpLen).put((byte) 17).put((byte) 64);
            b.put(src.getAddress()).put(dst.getAddress());
        } else {
            int start = b.position();
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) (20 + udpLen))
                    .putShort((short) 0)
                    .putShort((short) 0x4000)
                    .put((byte) 64)
                    .put((byte) 17)
                    .putShort((short) 0)
                    .put(src.getAddress())
                    .put(dst.getAddress());
            b.putShort(start + 10, (short) ipv4Checksum(b.array(), start));
        }
        b.putShort((short) sport)
                .putShort((short) dport)
                .putShort((short) udpLen)
                .putShort((short) 0)
                .put(payload);
        return b.array();
    }

    /** IPv4 (no DF, id 0) + TCP (sequence 1, window 65535, no options) with tcpFlags; IP and TCP checksums filled in. */
    public static byte[] tcp4(Inet4Address src, Inet4Address dst, int sport, int dport, int tcpFlags) {
        byte[] f = new byte[14 + 20 + 20];
        System.arraycopy(DST_MAC, 0, f, 0, 6);
        System.arraycopy(SRC_MAC, 0, f, 6, 6);
        f[12] = 0x08;
        f[14] = 0x45;
        f[16] = 0;
        f[17] = 40;
        f[22] = 64;
        f[23] = 6;
        System.arraycopy(src.getAddress(), 0, f, 26, 4);
        System.arraycopy(dst.getAddress(), 0, f, 30, 4);
        int ipSum = ~fold(sum(f, 14, 20, 0)) & 0xffff;
        f[24] = (byte) (ipSum >> 8);
        f[25] = (byte) ipSum;
        int t = 34;
        f[t] = (byte) (sport >> 8);
        f[t + 1] = (byte) sport;
        f[t + 2] = (byte) (dport >> 8);
        f[t + 3] = (byte) dport;
        f[t + 7] = 1;
        f[t + 12] = 0x50;
        f[t + 13] = (byte) tcpFlags;
        f[t + 14] = (byte) 0xff;
        f[t + 15] = (byte) 0xff;
        int pseudo = sum(f, 26, 8, 0) + 6 + 20;
        int tcpSum = ~fold(sum(f, t, 20, pseudo)) & 0xffff;
        f[t + 16] = (byte) (tcpSum >> 8);
        f[t + 17] = (byte) tcpSum;
        return f;
    }

    /** The checksum of the 20-byte IPv4 header at off, its check field taken as 0. */
    public static int ipv4Checksum(byte[] f, int off) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            if (i == 10) {
                continue;
            }
            sum += u16(f, off + i);
        }
        return ~fold(sum) & 0xffff;
    }

    /** The big-endian 16-bit value at off. */
    public static int u16(byte[] f, int off) {
        return ((f[off] & 0xff) << 8) | (f[off + 1] & 0xff);
    }

    private static int sum(byte[] b, int off, int len, int start) {
        int s = start;
        for (int i = off; i < off + len; i += 2) {
            s += u16(b, i);
        }
        return s;
    }

    private static int fold(int s) {
        s = (s & 0xffff) + (s >>> 16);
        return (s & 0xffff) + (s >>> 16);
    }
}
