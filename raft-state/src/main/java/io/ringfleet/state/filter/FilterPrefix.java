package io.ringfleet.state.filter;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.PrintableText;
import java.util.Arrays;

/**
 * An address prefix of a pre-filter rule, canonical: the host bits (after {@code length}) are zero, so one prefix
 * has one form. Ordered IPv4 before IPv6, then by address (unsigned), then by length.
 */
public final class FilterPrefix implements Comparable<FilterPrefix> {
    private final byte[] address;
    private final int length;

    private FilterPrefix(byte[] address, int length) {
        this.address = address;
        this.length = length;
    }

    /**
     * {@code 198.51.100.0/24}, {@code 2001:db8::/32}; a bare address is a host prefix (/32 or /128).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static FilterPrefix parse(String text) {
        int slash = text.indexOf('/');
        IpAddress address;
        try {
            address = IpAddress.parse(slash < 0 ? text : text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    quote(text) + " is not a prefix such as 198.51.100.0/24 or 2001:db8::/32 (" + e.getMessage() + ")");
        }
        int bits = address.length() * 8;
        if (slash < 0) {
            return of(address.bytes(), bits);
        }
        String len = text.substring(slash + 1);
        if (!len.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException(quote(text) + " has no prefix length 0.." + bits + " after the '/'");
        }
        return of(address.bytes(), Integer.parseInt(len));
    }

    /**
     * The prefix of these network-order bytes (4 or 16) and length.
     *
     * @throws IllegalArgumentException if the length is out of range or a host bit is set
     */
    public static FilterPrefix of(byte[] address, int length) {
        IpAddress a = IpAddress.fromBytes(address);
        int bits = address.length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException(
                    "prefix length " + Integer.toUnsignedString(length) + " of " + a + " is not 0.." + bits);
        }
        if (!Arrays.equals(masked(address, length), address)) {
            throw new IllegalArgumentException(a + "/" + length + " has host bits set: write the network address "
                    + IpAddress.fromBytes(masked(address, length)) + "/" + length);
        }
        if (a.isV4Mapped() && length >= 96) {
            throw new IllegalArgumentException(a + "/" + length + " is an IPv4-mapped IPv6 prefix: write it as IPv4");
        }
        return new FilterPrefix(address.clone(), length);
    }

    public static FilterPrefix fromProto(io.ringfleet.api.FilterPrefix proto) {
        byte[] bytes = proto.getAddress().toByteArray();
        if (bytes.length != 4 && bytes.length != 16) {
            throw new IllegalArgumentException("a prefix address is 4 or 16 bytes, got " + bytes.length);
        }
        return of(bytes, proto.getLength());
    }

    public io.ringfleet.api.FilterPrefix toProto() {
        return io.ringfleet.api.FilterPrefix.newBuilder()
                .setAddress(com.google.protobuf.ByteString.copyFrom(address))
                .setLength(length)
                .build();
    }

    public boolean isV6() {
        return address.length == 16;
    }

    /** A copy of the network-order bytes of the network address. */
    public byte[] address() {
        return address.clone();
    }

    public int length() {
        return length;
    }

    /** True when every address of {@code other} lies in this prefix (same family, this one no longer). */
    public boolean covers(FilterPrefix other) {
        return isV6() == other.isV6()
                && length <= other.length
                && Arrays.equals(masked(other.address, length), address);
    }

    /** The prefix of {@code length} (at most this one's) that covers this one. */
    public FilterPrefix shortened(int shorter) {
        return new FilterPrefix(masked(address, shorter), shorter);
    }

    static byte[] masked(byte[] bytes, int length) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public int compareTo(FilterPrefix o) {
        int c = Integer.compare(address.length, o.address.length);
        if (c == 0) {
            c = Arrays.compareUnsigned(address, o.address);
        }
        return c != 0 ? c : Integer.compare(length, o.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterPrefix p && length == p.length && Arrays.equals(address, p.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + length;
    }

    @Override
    public String toString() {
        return IpAddress.fromBytes(address) + "/" + length;
    }

    private static String quote(String text) {
        return "\"" + PrintableText.of(text, 64) + "\"";
    }
}
