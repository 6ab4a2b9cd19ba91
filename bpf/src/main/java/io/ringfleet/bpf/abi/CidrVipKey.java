package io.ringfleet.bpf.abi;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * struct rf_cidr_vip_key: a cidr_vips key (builds with prefix VIPs), the prefix VIP {@code prefix/prefixLength} on
 * {@code port} (0: any port) and {@code protocol}. The trie's prefix length counts the fixed part (port, protocol,
 * family: {@link #FIXED_BITS}) too. The value is a {@link VipMeta}.
 */
public record CidrVipKey(InetAddress prefix, int prefixLength, int port, int protocol) {
    public static final int SIZE = 24;
    public static final int OFF_PREFIXLEN = 0;
    public static final int OFF_PORT = 4;
    public static final int OFF_PROTO = 6;
    public static final int OFF_FAMILY = 7;
    public static final int OFF_ADDR = 8;
    /** Bits of the key matched whole before the address: port, protocol, family. */
    public static final int FIXED_BITS = 32;

    public CidrVipKey {
        Wire.requireAddr(prefix, "VIP prefix");
        Wire.requirePrefixLength(prefix, prefixLength);
        Wire.requirePort(port, "VIP port");
        Wire.requireU8(protocol, "VIP protocol");
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        b.putInt(OFF_PREFIXLEN, FIXED_BITS + prefixLength);
        Wire.putBe16(b, OFF_PORT, port);
        b.put(OFF_PROTO, (byte) protocol);
        b.put(OFF_FAMILY, (byte) (Wire.isV6(prefix) ? VipKey.FAMILY_V6 : VipKey.FAMILY_V4));
        Wire.putAddr(b, OFF_ADDR, prefix);
        return b.array();
    }
}
