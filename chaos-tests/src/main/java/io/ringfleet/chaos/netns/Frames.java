package io.ringfleet.chaos.netns;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Ethernet frames of a client's first packet (TCP SYN or a UDP datagram), for BPF_PROG_TEST_RUN. */
final class Frames {
    static final int TCP = 6;
    static final int UDP = 17;
    private static final byte[] DST_MAC = {0x02, 0x77, 0x00, 0x01, 0x00, 0x01};
    private static final byte[] SRC_MAC = {0x02, 0x77, 0x00, 0x00, 0x00, (byte) 0xfe};

    private Frames() {}

    /** A frame from src:sport to dst:dport; TCP frames are SYNs, UDP frames carry 8 bytes. */
    static byte[] first(InetAddress src, InetAddress dst, int protocol, int sport, int dport) {
        boolean v6 = dst.getAddress().length == 16;
        int l4 = protocol == TCP ? 20 : 16;
        int l3 = v6 ? 40 : 20;
        ByteBuffer b = ByteBuffer.allocate(14 + l3 + l4);
        b.put(DST_MAC).put(SRC_MAC).putShort((short) (v6 ? 0x86dd : 0x0800));
        if (v6) {
            b.putInt(0x6000_0000).putShort((short) l4).put((byte) protocol).put((byte) 64);
            b.put(src.getAddress()).put(dst.getAddress());
        } else {
            int ip = b.position();
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) (l3 + l4))
                    .putShort((short) 0)
                    .putShort((short) 0x4000)
                    .put((byte) 64)
                    .put((byte) protocol)
                    .putShort((short) 0);
            b.put(src.getAddress()).put(dst.getAddress());
            b.putShort(ip + 10, (short) ipv4Checksum(b.array(), ip));
        }
        b.putShort((short) sport).putShort((short) dport);
        if (protocol == TCP) {
            b.putInt(1)
                    .putInt(0)
                    .put((byte) 0x50)
                    .put((byte) 0x02)
                    .putShort((short) 64240)
                    .putShort((short) 0)
                    .putShort((short) 0);
        } else {
            b.putShort((short) l4).putShort((short) 0).putLong(0x7269_6e67_666c_6565L);
        }
        return b.array();
    }

    private static int ipv4Checksum(byte[] f, int off) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((f[off + i] & 0xff) << 8) | (f[off + i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }
}
