package io.ringfleet.bpf.abi;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * struct rf_src_route_key: a src_routes key (builds with source-prefix routing), the client prefix
 * {@code prefix/prefixLength}. The trie's prefix length counts the fixed part (family and padding:
 * {@link #FIXED_BITS}) too. The value is a real index (u32).
 */
public record SrcRouteKey(InetAddress prefix, int prefixLength) {
    public static final int SIZE = 24;
    public static final int OFF_PREFIXLEN = 0;
    public static final int OFF_FAMILY = 4;
    public static final int OFF_ADDR = 8;
    /** Bits of the key matched whole before the address: family and padding. */
    public static final int FIXED_BITS = 32;

    public SrcRouteKey {
        Wire.requireAddr(prefix, "source prefix");
        Wire.requirePrefixLength(prefix, prefixLength);
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        b.putInt(OFF_PREFIXLEN, FIXED_BITS + prefixLength);
        b.put(OFF_FAMILY, (byte) (Wire.isV6(prefix) ? VipKey.FAMILY_V6 : VipKey.FAMILY_V4));
        Wire.putAddr(b, OFF_ADDR, prefix);
        return b.array();
    }
}
