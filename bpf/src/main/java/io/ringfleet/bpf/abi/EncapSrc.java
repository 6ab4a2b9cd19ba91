package io.ringfleet.bpf.abi;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * struct rf_encap_src: a value of encap_srcs (GUE builds of the balancer), the balancer's own
 * address used as outer source of GUE packets towards reals of that family. Its map index follows
 * the address family ({@link #index()}: {@link #V4} or {@link #V6}).
 */
public record EncapSrc(InetAddress address) {
    public static final int SIZE = 16;
    public static final int OFF_ADDR = 0;
    /** encap_srcs index of the IPv4 source. */
    public static final int V4 = 0;
    /** encap_srcs index of the IPv6 source. */
    public static final int V6 = 1;
    /** Entries of encap_srcs. */
    public static final int COUNT = 2;

    public EncapSrc {
        Wire.requireAddr(address, "encapsulation source address");
    }

    /** The encap_srcs index this address belongs at. */
    public int index() {
        return Wire.isV6(address) ? V6 : V4;
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        Wire.putAddr(b, OFF_ADDR, address);
        return b.array();
    }

    /** Decodes the value stored at encap_srcs index {@code index}. */
    public static EncapSrc decode(byte[] bytes, int index) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_encap_src");
        return new EncapSrc(Wire.getAddr(b, OFF_ADDR, index == V6));
    }
}
