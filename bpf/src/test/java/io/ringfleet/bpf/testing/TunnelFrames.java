package io.ringfleet.bpf.testing;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Frames of the tunnels between balancer and reals, built from the wire formats in bpf/README.md ("Second-chance
 * forwarding"), independently of the C code: client TCP packets (IPv4 or IPv6), their IPIP / IP6IP6 / direct-GUE /
 * second-chance-GUE encapsulations, and what a real's decapsulation or re-encapsulation must turn them into.
 */
public final class TunnelFrames {
    private TunnelFrames() {}

    /** RF_GUE_DPORT as built (rf_consts.h). */
    public static final int GUE_PORT = 9886;
    /** struct rf_sc_hdr: GUE version 0 with 20 bytes of private data. */
    public static final int SC_HEADER_LEN = 24;

    public static final int IPPROTO_IPIP = 4;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int ETH_IPV4 = 0x0800;
    public static final int ETH_IPV6 = 0x86DD;

    static boolean isV6(InetAddress a) {
        return a.getAddress().length == 16;
    }

    /** A client's TCP segment (IP header + 20-byte TCP header + payload), TOS / traffic class {@code tos}. */
    public static byte[] tcpPacket(InetAddress src, InetAddress dst, int sport, int dport, int tcpFlags, int tos) {
        byte[] tcp = new byte[20];
        ByteBuffer.wrap(tcp)
                .putShort((short) sport)
                .putShort((short) dport)
                .putInt(1)
                .putInt(0)
                .put((byte) 0x50)
                .put((byte) tcpFlags)
                .putShort((short) 0xffff);
        int sum = l4Checksum(src, dst, IPPROTO_TCP, tcp);
        tcp[16] = (byte) (sum >> 8);
        tcp[17] = (byte) sum;
        return ipPacket(src, dst, IPPROTO_TCP, tos, tcp);
    }

    /** The TCP / UDP checksum of segment (its checksum field taken as is: pass it zeroed). */
    public static int l4Checksum(InetAddress src, InetAddress dst, int proto, byte[] segment) {
        long sum = 0;
        byte[] s = src.getAddress();
        byte[] d = dst.getAddress();
        for (int i = 0; i < s.length; i += 2) {
            sum += Frames.u16(s, i) + Frames.u16(d, i);
        }
        sum += proto + (segment.length & 0xffff) + (segment.length >>> 16);
        for (int i = 0; i < segment.length; i += 2) {
            sum += (segment[i] & 0xff) << 8 | (i + 1 < segment.length ? segment[i + 1] & 0xff : 0);
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) ~sum & 0xffff;
    }

    /**
     * The balancer's second-chance frame's IP packet (bpf/README.md, "Second-chance forwarding"): outer IP from the
     * balancer's own address {@code lbSource} to {@code real} (TTL 64, TOS copied, IPv4 id 0 without DF), UDP to
     * {@link #GUE_PORT} with GUE's per-flow source port and the true checksum, struct rf_sc_hdr naming {@code second},
     * the client's packet.
     */
    public static byte[] balancerSecondChance(
            InetAddress lbSource, InetAddress real, InetAddress second, byte[] inner) {
        byte[] payload = secondChancePayload(second, inner);
        ByteBuffer udp = ByteBuffer.allocate(8 + payload.length);
        udp.putShort((short) gueSourcePort(inner, isV6(real))).putShort((short) GUE_PORT);
        udp.putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        byte[] datagram = udp.array();
        int sum = l4Checksum(lbSource, real, IPPROTO_UDP, datagram);
        datagram[6] = (byte) (sum >> 8);
        datagram[7] = (byte) sum;
        int tos = tosOf(inner);
        if (isV6(real)) {
            ByteBuffer b = ByteBuffer.allocate(40 + datagram.length);
            b.putInt(6 << 28 | tos << 20)
                    .putShort((short) datagram.length)
                    .put((byte) IPPROTO_UDP)
                    .put((byte) 64);
            return b.put(lbSource.getAddress())
                    .put(real.getAddress())
                    .put(datagram)
                    .array();
        }
        return ipv4(lbSource, real, IPPROTO_UDP, tos, 0, datagram);
    }

    /** GUE's outer UDP source port: P (inner source port) and S (S[2], S[3] of an IPv4, S[12], S[13] of an IPv6
     * inner source): [P1^S, P0^S'] under an outer IPv4 header, [P0^S, P1^S'] under an outer IPv6 header. */
    static int gueSourcePort(byte[] inner, boolean outerV6) {
        boolean innerV6 = (inner[0] >> 4 & 0xf) == 6;
        int l4 = innerV6 ? 40 : 20;
        int sOff = innerV6 ? 8 + 12 : 12 + 2;
        int p0 = inner[l4] & 0xff;
        int p1 = inner[l4 + 1] & 0xff;
        int sh = inner[sOff] & 0xff;
        int sl = inner[sOff + 1] & 0xff;
        return outerV6 ? (p0 ^ sh) << 8 | (p1 ^ sl) : (p1 ^ sh) << 8 | (p0 ^ sl);
    }

    static int tosOf(byte[] inner) {
        boolean innerV6 = (inner[0] >> 4 & 0xf) == 6;
        return innerV6 ? (inner[0] & 0xf) << 4 | (inner[1] >> 4 & 0xf) : inner[1] & 0xff;
    }

    /** An IP packet: IPv4 (id 0, DF, TTL 64, checksum filled) or IPv6 (hop limit 64), around payload. */
    public static byte[] ipPacket(InetAddress src, InetAddress dst, int proto, int tos, byte[] payload) {
        if (isV6(src)) {
            ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
            b.putInt(6 << 28 | tos << 20)
                    .putShort((short) payload.length)
                    .put((byte) proto)
                    .put((byte) 64);
            return b.put(src.getAddress()).put(dst.getAddress()).put(payload).array();
        }
        return ipv4(src, dst, proto, tos, 0x4000, payload);
    }

    /** An IPv4 header (no options, id 0, TTL 64, checksum filled) with the given fragment word, then payload. */
    public static byte[] ipv4(InetAddress src, InetAddress dst, int proto, int tos, int fragWord, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45)
                .put((byte) tos)
                .putShort((short) (20 + payload.length))
                .putShort((short) 0);
        b.putShort((short) fragWord).put((byte) 64).put((byte) proto).putShort((short) 0);
        b.put(src.getAddress()).put(dst.getAddress()).put(payload);
        byte[] p = b.array();
        int sum = Frames.ipv4Checksum(p, 0);
        p[10] = (byte) (sum >> 8);
        p[11] = (byte) sum;
        return p;
    }

    /** Ethernet header + packet. */
    public static byte[] ethernet(byte[] dstMac, byte[] srcMac, byte[] packet) {
        int type = (packet[0] >> 4 & 0xf) == 6 ? ETH_IPV6 : ETH_IPV4;
        return ByteBuffer.allocate(14 + packet.length)
                .put(dstMac)
                .put(srcMac)
                .putShort((short) type)
                .put(packet)
                .array();
    }

    /** The inner packet's tunnel label: IPPROTO_IPV6 for IPv6, IPPROTO_IPIP for IPv4. */
    public static int label(byte[] inner) {
        return (inner[0] >> 4 & 0xf) == 6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
    }

    /** IPIP / IPv6-in-IPv4 / IP6IP6 / IPv4-in-IPv6 (the outer family is the outer addresses'), TOS 0. */
    public static byte[] ipip(InetAddress outerSrc, InetAddress outerDst, byte[] inner) {
        return ipPacket(outerSrc, outerDst, label(inner), 0, inner);
    }

    /** Outer IP + UDP (source port 4242, destination {@link #GUE_PORT}, checksum 0) + payload. */
    public static byte[] gue(InetAddress outerSrc, InetAddress outerDst, byte[] payload) {
        ByteBuffer udp = ByteBuffer.allocate(8 + payload.length);
        udp.putShort((short) 4242).putShort((short) GUE_PORT).putShort((short) (8 + payload.length));
        udp.putShort((short) 0).put(payload);
        return ipPacket(outerSrc, outerDst, IPPROTO_UDP, 0, udp.array());
    }

    /** struct rf_sc_hdr naming {@code second}, then the inner packet. */
    public static byte[] secondChancePayload(InetAddress second, byte[] inner) {
        ByteBuffer b = ByteBuffer.allocate(SC_HEADER_LEN + inner.length);
        b.put((byte) 0x05).put((byte) label(inner)).putShort((short) 0); // GUE v0, hlen 5, no flags
        b.put((byte) 1).put((byte) (isV6(second) ? 6 : 4)).putShort((short) 0); // kind, family, reserved
        b.put(Arrays.copyOf(second.getAddress(), 16)); // IPv4 in the first word
        return b.put(inner).array();
    }

    /**
     * What IPIP encapsulation towards {@code real} makes of the inner packet (bpf/README.md "What it does"): outer TTL
     * 64, TOS copied, IPv4 id 0 without DF; outer source 172.16.(S[2]^P[1]).(S[3]^P[0]) or 0100::/96 + the last
     * source word XOR [P0, P1, 0, 0], from the inner source S and source port P.
     */
    public static byte[] balancerIpip(InetAddress real, byte[] inner) {
        boolean innerV6 = (inner[0] >> 4 & 0xf) == 6;
        int srcOff = innerV6 ? 8 : 12;
        int l4 = innerV6 ? 40 : 20;
        byte[] tail = Arrays.copyOfRange(inner, srcOff + (innerV6 ? 12 : 0), srcOff + (innerV6 ? 16 : 4));
        byte p0 = inner[l4];
        byte p1 = inner[l4 + 1];
        int tos = tosOf(inner);
        InetAddress outerSrc;
        if (isV6(real)) {
            byte[] s = new byte[16];
            s[0] = 1;
            s[12] = (byte) (tail[0] ^ p0);
            s[13] = (byte) (tail[1] ^ p1);
            s[14] = tail[2];
            s[15] = tail[3];
            outerSrc = address(s);
            ByteBuffer b = ByteBuffer.allocate(40 + inner.length);
            b.putInt(6 << 28 | tos << 20)
                    .putShort((short) inner.length)
                    .put((byte) label(inner))
                    .put((byte) 64);
            return b.put(outerSrc.getAddress())
                    .put(real.getAddress())
                    .put(inner)
                    .array();
        }
        outerSrc = address(new byte[] {(byte) 172, 16, (byte) (tail[2] ^ p1), (byte) (tail[3] ^ p0)});
        return ipv4(outerSrc, real, label(inner), tos, 0, inner);
    }

    static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
