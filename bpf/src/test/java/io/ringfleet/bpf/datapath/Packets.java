package io.ringfleet.bpf.datapath;

import io.ringfleet.bpf.testing.Frames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Test frames (Ethernet + IPv4/IPv6 + TCP/UDP/ICMP; L4 checksums left 0, the balancer does not
 * read them) and a reader for what the balancer sends.
 */
final class Packets {
    private Packets() {}

    static final byte[] CLIENT_MAC = {1, 0, 0, 0, 0, 0};
    static final byte[] LB_MAC = {2, 0, 0, 0, 0, 0};
    static final byte[] GATEWAY_MAC = {0, 0, (byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xaf};

    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int ICMPV6 = 58;
    static final int SYN = 0x02;
    static final int ACK = 0x10;

    static final int ETH = 14;
    static final int IPV4 = 20;
    static final int IPV6 = 40;

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static boolean isV6(InetAddress a) {
        return a.getAddress().length == 16;
    }

    static byte[] tcp(InetAddress src, InetAddress dst, int sport, int dport, int flags, byte[] payload) {
        ByteBuffer l4 = ByteBuffer.allocate(20 + payload.length);
        l4.putShort((short) sport)
                .putShort((short) dport)
                .putInt(0)
                .putInt(0)
                .put((byte) 0x50)
                .put((byte) flags)
                .putShort((short) 8192)
                .putShort((short) 0)
                .putShort((short) 0)
                .put(payload);
        return ip(src, dst, TCP, l4.array());
    }

    static byte[] udp(InetAddress src, InetAddress dst, int sport, int dport, byte[] payload) {
        ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length);
        l4.putShort((short) sport)
                .putShort((short) dport)
                .putShort((short) (8 + payload.length))
                .putShort((short) 0)
                .put(payload);
        return ip(src, dst, UDP, l4.array());
    }

    /** ICMP / ICMPv6 echo request. */
    static byte[] echoRequest(InetAddress src, InetAddress dst) {
        boolean v6 = isV6(src);
        byte[] l4 = {(byte) (v6 ? 128 : 8), 0, 0, 0, 0, 1, 0, 1};
        return ip(src, dst, v6 ? ICMPV6 : ICMP, l4);
    }

    /**
     * An ICMP "fragmentation needed" / ICMPv6 "packet too big" from a router to `to` (a VIP),
     * quoting the start of `quoted` (a frame the VIP's real sent: VIP -> client).
     */
    static byte[] tooBigError(InetAddress router, InetAddress to, byte[] quoted) {
        boolean v6 = isV6(router);
        byte[] inner = Arrays.copyOfRange(quoted, ETH, Math.min(quoted.length, ETH + (v6 ? IPV6 : IPV4) + 8));
        ByteBuffer l4 = ByteBuffer.allocate(8 + inner.length);
        l4.put((byte) (v6 ? 2 : 3))
                .put((byte) (v6 ? 0 : 4))
                .putShort((short) 0)
                .putInt(1400)
                .put(inner);
        return ip(router, to, v6 ? ICMPV6 : ICMP, l4.array());
    }

    /** Ethernet + IP header (no options, TTL 64) around an L4 payload. */
    static byte[] ip(InetAddress src, InetAddress dst, int proto, byte[] l4) {
        boolean v6 = isV6(src);
        ByteBuffer b = ByteBuffer.allocate(ETH + (v6 ? IPV6 : IPV4) + l4.length);
        b.put(LB_MAC).put(CLIENT_MAC).putShort((short) (v6 ? 0x86DD : 0x0800));
        if (v6) {
            b.putInt(6 << 28).putShort((short) l4.length).put((byte) proto).put((byte) 64);
        } else {
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) (IPV4 + l4.length))
                    .putShort((short) 1)
                    .putShort((short) 0)
                    .put((byte) 64)
                    .put((byte) proto)
                    .putShort((short) 0);
        }
        b.put(src.getAddress()).put(dst.getAddress()).put(l4);
        byte[] f = b.array();
        if (!v6) {
            int csum = Frames.ipv4Checksum(f, ETH);
            f[ETH + 10] = (byte) (csum >> 8);
            f[ETH + 11] = (byte) csum;
        }
        return f;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** What an XDP_TX frame of the balancer forwarding to a real looks like. */
    record Encapsulated(
            boolean outerV6,
            byte[] dstMac,
            byte[] srcMac,
            InetAddress outerSrc,
            InetAddress outerDst,
            int ttl,
            int tos,
            byte[] inner) {}

    /** Reads an encapsulated frame (outer IPv4 or IPv6 right after Ethernet). */
    static Encapsulated encapsulated(byte[] out) {
        boolean v6 = Frames.u16(out, 12) == 0x86DD;
        int hdr = v6 ? IPV6 : IPV4;
        try {
            InetAddress src =
                    InetAddress.getByAddress(Arrays.copyOfRange(out, ETH + (v6 ? 8 : 12), ETH + (v6 ? 24 : 16)));
            InetAddress dst =
                    InetAddress.getByAddress(Arrays.copyOfRange(out, ETH + (v6 ? 24 : 16), ETH + (v6 ? 40 : 20)));
            int ttl = out[ETH + (v6 ? 7 : 8)] & 0xff;
            int tos = v6 ? (Frames.u16(out, ETH) >> 4) & 0xff : out[ETH + 1] & 0xff;
            return new Encapsulated(
                    v6,
                    Arrays.copyOfRange(out, 0, 6),
                    Arrays.copyOfRange(out, 6, 12),
                    src,
                    dst,
                    ttl,
                    tos,
                    Arrays.copyOfRange(out, ETH + hdr, out.length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
