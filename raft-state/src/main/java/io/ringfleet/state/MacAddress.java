package io.ringfleet.state;

import com.google.protobuf.ByteString;
import java.util.Arrays;

/** A 6-byte Ethernet address. Text form: {@code aa:bb:cc:dd:ee:ff} (lower case). Immutable. */
public final class MacAddress implements Comparable<MacAddress> {
    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static MacAddress fromBytes(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address is 6 bytes, got " + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    public static MacAddress fromBytes(ByteString bytes) {
        return fromBytes(bytes.toByteArray());
    }

    /**
     * Parses six colon-separated pairs of hex digits, in either case ({@code 0a:1b:2c:3d:4e:5f}).
     *
     * @throws IllegalArgumentException saying what is wrong, if the text is not in that form
     */
    public static MacAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a MAC address has six colon-separated hex pairs, got null");
        }
        String[] pairs = text.split(":", -1);
        if (pairs.length != 6) {
            throw new IllegalArgumentException("a MAC address has six colon-separated hex pairs, got \"" + text + "\"");
        }
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) hexPair(pairs[i]);
        }
        return new MacAddress(out);
    }

    private static int hexPair(String pair) {
        int hi = pair.length() == 2 ? hexDigit(pair.charAt(0)) : -1;
        int lo = pair.length() == 2 ? hexDigit(pair.charAt(1)) : -1;
        if (hi < 0 || lo < 0) {
            throw new IllegalArgumentException("\"" + pair + "\" is not a hex pair (00 to ff)");
        }
        return (hi << 4) | lo;
    }

    /** ASCII hex only: Character.digit would also take other scripts' digits. */
    private static int hexDigit(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public ByteString toByteString() {
        return ByteString.copyFrom(bytes);
    }

    /** The group bit (least significant bit of the first octet): multicast or broadcast. */
    public boolean isMulticast() {
        return (bytes[0] & 1) != 0;
    }

    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(MacAddress other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress && Arrays.equals(bytes, ((MacAddress) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return sb.toString();
    }
}
