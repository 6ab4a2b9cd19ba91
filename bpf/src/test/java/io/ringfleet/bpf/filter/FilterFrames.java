package io.ringfleet.bpf.filter;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Frames for the pre-filter tests: Ethernet + IPv4 / IPv6 (optionally a fragment) + TCP / UDP, and DNS queries. */
final class FilterFrames {
    private FilterFrames() {}

    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int SYN = 0x02;
    static final int ACK = 0x10;
    static final int ETH = 14;
    static final int DNS_PORT = 53;
    static final int QTYPE_A = 1;
    static final int QTYPE_AAAA = 28;
    private static final int IPV6_FRAGMENT_HEADER = 44;

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static byte[] tcp(String src, String dst, int sport, int dport, int flags) {
        ByteBuffer l4 = ByteBuffer.allocate(20);
        l4.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0);
        l4.put((byte) 0x50).put((byte) flags).putShort((short) 8192).putInt(0);
        return ip(ip(src), ip(dst), TCP, l4.array(), -1);
    }

    static byte[] udp(String src, String dst, int sport, int dport, byte[] payload) {
        return ip(ip(src), ip(dst), UDP, udpSegment(sport, dport, payload), -1);
    }

    static byte[] udpSegment(int sport, int dport, byte[] payload) {
        ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length);
        l4.putShort((short) sport)
                .putShort((short) dport)
                .putShort((short) (8 + payload.length))
                .putShort((short) 0);
        return l4.put(payload).array();
    }

    /** A fragment of an IP packet carrying {@code l4} at fragment offset {@code offset8} (8-byte units), more to come. */
    static byte[] fragment(String src, String dst, int proto, byte[] l4, int offset8) {
        return ip(ip(src), ip(dst), proto, l4, offset8);
    }

    /** The first {@code length} bytes of {@code frame} (a truncated frame). */
    static byte[] cut(byte[] frame, int length) {
        return Arrays.copyOf(frame, length);
    }

    /** Ethernet + IP header (no options, TTL 64; a fragment when {@code fragOffset8 >= 0}) around {@code l4}. */
    static byte[] ip(InetAddress src, InetAddress dst, int proto, byte[] l4, int fragOffset8) {
        boolean v6 = src.getAddress().length == 16;
        boolean frag = fragOffset8 >= 0;
        int ipHeader = v6 ? 40 + (frag ? 8 : 0) : 20;
        ByteBuffer b = ByteBuffer.allocate(ETH + ipHeader + l4.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2});
        b.putShort((short) (v6 ? 0x86DD : 0x0800));
        if (v6) {
            int payload = l4.length + (frag ? 8 : 0);
            b.putInt(6 << 28).putShort((short) payload).put((byte) (frag ? IPV6_FRAGMENT_HEADER : proto));
            b.put((byte) 64).put(src.getAddress()).put(dst.getAddress());
            if (frag) {
                b.put((byte) proto)
                        .put((byte) 0)
                        .putShort((short) ((fragOffset8 << 3) | 1))
                        .putInt(7);
            }
        } else {
            int fragField = frag ? (0x2000 | fragOffset8) : 0; // MF set on every fragment built here
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 1);
            b.putShort((short) fragField).put((byte) 64).put((byte) proto).putShort((short) 0);
            b.put(src.getAddress()).put(dst.getAddress());
        }
        return b.put(l4).array();
    }

    /** The wire form of a name: length-prefixed labels and the root label. */
    static byte[] name(String dotted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : dotted.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.write(0);
        return out.toByteArray();
    }

    /** A DNS message: header (flags, QDCOUNT as given), then {@code question} bytes as they are. */
    static byte[] dnsMessage(int flags, int qdcount, byte[] question) {
        ByteBuffer b = ByteBuffer.allocate(12 + question.length);
        b.putShort((short) 0x1234)
                .putShort((short) flags)
                .putShort((short) qdcount)
                .putShort((short) 0);
        b.putShort((short) 0).putShort((short) 0);
        return b.put(question).array();
    }

    /** A question: the encoded name, the type and class IN. */
    static byte[] question(byte[] encodedName, int qtype) {
        return ByteBuffer.allocate(encodedName.length + 4)
                .put(encodedName)
                .putShort((short) qtype)
                .putShort((short) 1)
                .array();
    }

    /** A recursive query for {@code name} (one question) from a client to a resolver, UDP port 53. */
    static byte[] dnsQuery(String src, String dst, String name, int qtype) {
        return udp(src, dst, 40000, DNS_PORT, dnsMessage(0x0100, 1, question(name(name), qtype)));
    }
}
