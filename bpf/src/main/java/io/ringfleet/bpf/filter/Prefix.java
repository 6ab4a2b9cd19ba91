package io.ringfleet.bpf.filter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 prefix ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); the bits after the length must be zero. */
public record Prefix(InetAddress address, int length) {
    public Prefix {
        if (address == null) {
            throw new IllegalArgumentException("prefix address is missing");
        }
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException(
                    "prefix length " + length + " of " + address.getHostAddress() + " is outside 0.." + bits);
        }
        if (!Arrays.equals(masked(address.getAddress(), length), address.getAddress())) {
            throw new IllegalArgumentException(address.getHostAddress() + "/" + length
                    + " has address bits set after the prefix length (write the network address)");
        }
    }

    /** {@code address/length}, or a single address (full length). */
    public static Prefix parse(String text) {
        String s = text == null ? "" : text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        // literals only (never a name lookup): dotted IPv4, or IPv6 with colons
        boolean literal =
                addr.contains(":") ? addr.matches("[0-9a-fA-F:.]+") : addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!literal) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 prefix (e.g. 10.0.0.0/8)");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 prefix (e.g. 10.0.0.0/8)");
        }
        if (slash < 0) {
            return new Prefix(a, a.getAddress().length * 8);
        }
        try {
            return new Prefix(a, Integer.parseInt(s.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
        }
    }

    public boolean isV6() {
        return address.getAddress().length == 16;
    }

    /** Whether every address of {@code other} lies in this prefix (same family, shorter or equal length). */
    public boolean covers(Prefix other) {
        return isV6() == other.isV6()
                && length <= other.length
                && Arrays.equals(masked(other.address.getAddress(), length), address.getAddress());
    }

    /** {@code bytes} with every bit after the first {@code length} cleared. */
    static byte[] masked(byte[] bytes, int length) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
