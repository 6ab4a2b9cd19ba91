package io.ringfleet.bpf;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Test frames: Ethernet + IPv4/IPv6 + UDP (UDP checksum left 0: test_run does not check it). */
final class Frames {
    private Frames() {}

    static final byte[] DST_MAC = {0x02, 0, 0, 0, 0, 0x02};
    static final byte[] SRC_MAC = {0x02, 0, 0, 0, 0, 0x01};

    static byte[] udp(InetAddress src, InetAddress dst, int sport, int dport, byte[] payload) {
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
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLen)).putShort((short) 0)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0)
                    .put(src.getAddress()).put(dst.getAddress());
            b.putShort(start + 10, (short) ipv4Checksum(b.array(), start));
        }
        b.putShort((short) sport).putShort((short) dport).putShort((short) udpLen).putShort((short) 0).put(payload);
        return b.array();
    }

    /** The IPv4 header checksum over 20 bytes at off (0 when the stored checksum is valid... see verify). */
    static int ipv4Checksum(byte[] f, int off) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            if (i == 10) {
                continue;
            }
            sum += ((f[off + i] & 0xff) << 8) | (f[off + i + 1] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    static int u16(byte[] f, int off) {
        return ((f[off] & 0xff) << 8) | (f[off + 1] & 0xff);
    }
}
