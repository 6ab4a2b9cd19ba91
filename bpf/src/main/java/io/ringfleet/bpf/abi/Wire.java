package io.ringfleet.bpf.abi;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Byte-level helpers of the codecs: union rf_addr, port ranges, size checks. */
final class Wire {
    private Wire() {}

    /** sizeof(union rf_addr). */
    static final int ADDR = 16;

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer le(byte[] b, int size, String what) {
        if (b == null || b.length != size) {
            throw new IllegalArgumentException(
                    what + " is " + size + " bytes, got " + (b == null ? "null" : b.length + " bytes"));
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes an address as union rf_addr (network order; IPv4 in the first word, rest zero). */
    static void putAddr(ByteBuffer b, int off, InetAddress a) {
        byte[] raw = a.getAddress();
        for (int i = 0; i < ADDR; i++) {
            b.put(off + i, i < raw.length ? raw[i] : 0);
        }
    }

    static InetAddress getAddr(ByteBuffer b, int off, boolean v6) {
        byte[] raw = new byte[v6 ? 16 : 4];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = b.get(off + i);
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }

    static InetAddress requireAddr(InetAddress a, String what) {
        if (a == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (!(a instanceof Inet4Address) && !(a instanceof Inet6Address)) {
            throw new IllegalArgumentException(what + " must be IPv4 or IPv6, got " + a);
        }
        return a;
    }

    static int requirePort(int port, String what) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException(what + " must be 0..65535, got " + port);
        }
        return port;
    }

    /** A prefix length fitting the address's family: 0..32 for IPv4, 0..128 for IPv6. */
    static int requirePrefixLength(InetAddress a, int length) {
        int max = isV6(a) ? 128 : 32;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + ", got " + length);
        }
        return length;
    }

    static int requireU8(int v, String what) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(what + " must be 0..255, got " + v);
        }
        return v;
    }

    /** Network-order u16 at off. */
    static void putBe16(ByteBuffer b, int off, int v) {
        b.put(off, (byte) (v >>> 8));
        b.put(off + 1, (byte) v);
    }

    static int getBe16(ByteBuffer b, int off) {
        return ((b.get(off) & 0xff) << 8) | (b.get(off + 1) & 0xff);
    }

    static byte[] mac(byte[] mac, String what) {
        if (mac == null || mac.length != 6) {
            throw new IllegalArgumentException(what + " must be 6 bytes, got " + (mac == null ? "null" : mac.length));
        }
        return mac.clone();
    }

    static String macString(byte[] mac) {
        StringBuilder sb = new StringBuilder();
        for (byte x : mac) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    static boolean allZero(byte[] b) {
        return Arrays.equals(b, new byte[b.length]);
    }
}
