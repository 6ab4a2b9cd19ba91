package io.ringfleet.state;

import com.google.protobuf.ByteString;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address as its network-order bytes (4 or 16). Immutable.
 *
 * <p>Parsing is strict and pure (no name resolution, unlike {@code InetAddress.getByName}): IPv4 is
 * exactly four decimal octets without leading zeros; IPv6 is RFC 4291 text (hex groups, at most one
 * {@code ::}, an optional dotted IPv4 tail), without zone or brackets. {@link #toString()} is the
 * canonical text: dotted quad, or RFC 5952 for IPv6 (lower case, longest zero run compressed).
 *
 * <p>Ordering: every IPv4 address before every IPv6 address, then unsigned byte order.
 */
public final class IpAddress implements Comparable<IpAddress> {
    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The address with these network-order bytes; 4 (IPv4) or 16 (IPv6) of them. */
    public static IpAddress fromBytes(byte[] bytes) {
        if (bytes.length != 4 && bytes.length != 16) {
            throw new IllegalArgumentException("an address is 4 bytes (IPv4) or 16 bytes (IPv6), got " + bytes.length);
        }
        return new IpAddress(bytes.clone());
    }

    public static IpAddress fromBytes(ByteString bytes) {
        return fromBytes(bytes.toByteArray());
    }

    /**
     * Parses IPv4 ({@code 10.0.0.1}) or IPv6 ({@code fc00::1}, {@code ::ffff:10.0.0.1}) text.
     *
     * @throws IllegalArgumentException with the reason, if the text is not an address
     */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        if (text.indexOf(':') >= 0) {
            return new IpAddress(parseV6(text));
        }
        return new IpAddress(parseV4(text));
    }

    private static byte[] parseV4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (part == 4) {
                    throw new IllegalArgumentException("an IPv4 address has exactly 4 octets");
                }
                out[part++] = (byte) parseOctet(text, start, i);
                start = i + 1;
            }
        }
        if (part != 4) {
            throw new IllegalArgumentException("an IPv4 address has exactly 4 octets");
        }
        return out;
    }

    private static int parseOctet(String text, int from, int to) {
        int len = to - from;
        if (len == 0 || len > 3) {
            throw new IllegalArgumentException("an IPv4 octet is 1 to 3 decimal digits");
        }
        if (len > 1 && text.charAt(from) == '0') {
            throw new IllegalArgumentException("an IPv4 octet has no leading zero");
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("unexpected character '" + c + "'");
            }
            value = value * 10 + (c - '0');
        }
        if (value > 255) {
            throw new IllegalArgumentException("IPv4 octet " + value + " is above 255");
        }
        return value;
    }

    private static byte[] parseV6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw new IllegalArgumentException("'::' may appear only once");
        }
        int[] head;
        int[] tail;
        if (gap < 0) {
            head = parseGroups(text, true);
            tail = new int[0];
            if (head.length != 8) {
                throw new IllegalArgumentException("an IPv6 address without '::' has exactly 8 groups");
            }
        } else {
            head = parseGroups(text.substring(0, gap), false);
            tail = parseGroups(text.substring(gap + 2), true);
            if (head.length + tail.length > 7) {
                throw new IllegalArgumentException("too many groups for an IPv6 address with '::'");
            }
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >>> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        int offset = 8 - tail.length;
        for (int i = 0; i < tail.length; i++) {
            out[2 * (offset + i)] = (byte) (tail[i] >>> 8);
            out[2 * (offset + i) + 1] = (byte) tail[i];
        }
        return out;
    }

    /** Hex groups separated by ':'; the last one may be a dotted IPv4 address (two groups). */
    private static int[] parseGroups(String text, boolean mayEndWithV4) {
        if (text.isEmpty()) {
            return new int[0];
        }
        String[] parts = text.split(":", -1);
        int count = parts.length;
        String last = parts[count - 1];
        boolean v4Tail = last.indexOf('.') >= 0;
        int[] groups = new int[v4Tail ? count + 1 : count];
        for (int i = 0; i < count - (v4Tail ? 1 : 0); i++) {
            groups[i] = parseHexGroup(parts[i]);
        }
        if (v4Tail) {
            if (!mayEndWithV4) {
                throw new IllegalArgumentException("a dotted IPv4 part may only end an IPv6 address");
            }
            byte[] v4 = parseV4(last);
            groups[count - 1] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
            groups[count] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        }
        return groups;
    }

    private static int parseHexGroup(String part) {
        int value = 0;
        for (int i = 0; i < part.length(); i++) {
            int digit = Character.digit(part.charAt(i), 16);
            if (digit < 0 || part.charAt(i) > 'f') {
                throw new IllegalArgumentException("unexpected character '" + part.charAt(i) + "'");
            }
            value = (value << 4) | digit;
        }
        if (part.isEmpty() || part.length() > 4) {
            throw new IllegalArgumentException("an IPv6 group is 1 to 4 hex digits");
        }
        return value;
    }

    public boolean isV4() {
        return bytes.length == 4;
    }

    public boolean isV6() {
        return bytes.length == 16;
    }

    /** 4 or 16. */
    public int length() {
        return bytes.length;
    }

    /** A copy of the network-order bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The network-order bytes themselves, not a copy: for encoders in this package, which never modify them. */
    byte[] bytesView() {
        return bytes;
    }

    public ByteString toByteString() {
        return ByteString.copyFrom(bytes);
    }

    /** 0.0.0.0 or ::. */
    public boolean isUnspecified() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** ::ffff:a.b.c.d, an IPv4 address written as IPv6. */
    public boolean isV4Mapped() {
        if (!isV6()) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    @Override
    public int compareTo(IpAddress other) {
        if (bytes.length != other.bytes.length) {
            return Integer.compare(bytes.length, other.bytes.length);
        }
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress && Arrays.equals(bytes, ((IpAddress) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        if (isV4()) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952: a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
