package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.testing.Frames;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Ethernet frames for the datapath benchmark (checksums of L4 left 0: the balancer does not check them). */
final class Packets {
    private Packets() {}

    static final int TCP = 6;
    static final int UDP = 17;
    static final int SYN = 0x02;
    static final int ACK = 0x10;

    static final byte[] LB_MAC = {0x02, 0x52, 0x46, 0, 0, 0x01};
    static final byte[] CLIENT_MAC = {0x02, 0x52, 0x46, 0, 0, 0x02};

    /**
     * A frame of at least minLength bytes (padded with payload).
     *
     * @param tcpFlags TCP flags, ignored for UDP
     */
    static byte[] frame(
            InetAddress src, InetAddress dst, int proto, int sport, int dport, int tcpFlags, int minLength) {
        boolean v6 = src.getAddress().length == 16;
        int ipHeader = v6 ? 40 : 20;
        int l4Header = proto == TCP ? 20 : 8;
        int payload = Math.max(0, minLength - 14 - ipHeader - l4Header);
        int l4Len = l4Header + payload;
        ByteBuffer b = ByteBuffer.allocate(14 + ipHeader + l4Len);
        b.put(LB_MAC).put(CLIENT_MAC).putShort((short) (v6 ? 0x86DD : 0x0800));
        if (v6) {
            b.putInt(6 << 28).putShort((short) l4Len).put((byte) proto).put((byte) 64);
            b.put(src.getAddress()).put(dst.getAddress());
        } else {
            int start = b.position();
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) (20 + l4Len))
                    .putShort((short) 0)
                    .putShort((short) 0x4000)
                    .put((byte) 64)
                    .put((byte) proto)
                    .putShort((short) 0)
                    .put(src.getAddress())
                    .put(dst.getAddress());
            b.putShort(start + 10, (short) Frames.ipv4Checksum(b.array(), start));
        }
        b.putShort((short) sport).putShort((short) dport);
        if (proto == TCP) {
            b.putInt(1)
                    .putInt(0)
                    .put((byte) 0x50)
                    .put((byte) tcpFlags)
                    .putShort((short) 65535)
                    .putInt(0);
        } else {
            b.putShort((short) l4Len).putShort((short) 0);
        }
        return b.array();
    }

    /** Offset of the L4 source port in a frame built by {@link #frame}. */
    static int sourcePortOffset(byte[] frame) {
        boolean v6 = ((frame[12] & 0xff) << 8 | (frame[13] & 0xff)) == 0x86DD;
        return 14 + (v6 ? 40 : 20);
    }

    /**
     * A UDP frame carrying a QUIC short-header packet whose destination connection id holds
     * serverId in the v1 layout (16 bits: 6 bits of byte 0 after the version bits, byte 1, the two
     * high bits of byte 2).
     */
    static byte[] quicShortHeader(InetAddress src, InetAddress dst, int sport, int dport, int serverId, int minLength) {
        if (serverId <= 0 || serverId >= 1 << 16) {
            throw new IllegalArgumentException("a v1 server id is 1..65535, got " + serverId);
        }
        byte[] f = frame(src, dst, UDP, sport, dport, 0, minLength);
        int quic = sourcePortOffset(f) + 8;
        f[quic] = 0x40; // short header (fixed bit set, form bit clear)
        f[quic + 1] = (byte) (1 << 6 | serverId >>> 10);
        f[quic + 2] = (byte) (serverId >>> 2);
        f[quic + 3] = (byte) ((serverId & 3) << 6);
        return f;
    }
}
