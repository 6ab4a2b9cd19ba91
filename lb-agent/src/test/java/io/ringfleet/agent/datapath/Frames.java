package io.ringfleet.agent.datapath;

import java.net.Inet4Address;

/** Test frames: Ethernet + IPv4 + TCP, checksums filled in. */
final class Frames {
    static final int TCP_SYN = 0x02;
    static final int TCP_ACK = 0x10;

    private Frames() {}

    static byte[] tcp4(Inet4Address src, Inet4Address dst, int sport, int dport, int tcpFlags) {
        byte[] f = new byte[14 + 20 + 20];
        byte[] dstMac = {0x02, 0, 0, 0, 0, 0x02};
        byte[] srcMac = {0x02, 0, 0, 0, 0, 0x01};
        System.arraycopy(dstMac, 0, f, 0, 6);
        System.arraycopy(srcMac, 0, f, 6, 6);
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

    private static int sum(byte[] b, int off, int len, int start) {
        int s = start;
        for (int i = off; i < off + len; i += 2) {
            s += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        return s;
    }

    private static int fold(int s) {
        s = (s & 0xffff) + (s >>> 16);
        return (s & 0xffff) + (s >>> 16);
    }
}
