package io.ringfleet.config;

import java.util.Arrays;
import java.util.Objects;

/** A 48-bit Ethernet address written {@code 0a:1b:2c:3d:4e:5f} (colons, two hex digits per octet). */
public final class MacAddress {
    private final byte[] octets;

    private MacAddress(byte[] octets) {
        this.octets = octets;
    }

    /**
     * Parses six colon-separated pairs of hex digits, in either case.
     *
     * @throws IllegalArgumentException when the text is not of that shape
     */
    public static MacAddress parse(String text) {
        Objects.requireNonNull(text, "text must not be null; use six hex pairs like 0a:1b:2c:3d:4e:5f");
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("a MAC address has six colon-separated hex pairs, got \"" + text + "\"");
        }
        byte[] octets = new byte[6];
        for (int i = 0; i < 6; i++) {
            String p = parts[i];
            if (p.length() != 2 || Character.digit(p.charAt(0), 16) < 0 || Character.digit(p.charAt(1), 16) < 0) {
                throw new IllegalArgumentException("\"" + p + "\" is not a hex pair (00 to ff)");
            }
            octets[i] = (byte) Integer.parseInt(p, 16);
        }
        return new MacAddress(octets);
    }

    /** The address from six octets. */
    public static MacAddress of(byte[] octets) {
        Objects.requireNonNull(octets, "octets must not be null");
        if (octets.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets, got " + octets.length);
        }
        return new MacAddress(octets.clone());
    }

    /** A copy of the six octets, in wire order. */
    public byte[] octets() {
        return octets.clone();
    }

    /** True when the group bit (lowest bit of the first octet) is set; includes broadcast. */
    public boolean isMulticast() {
        return (octets[0] & 1) != 0;
    }

    /** True for 00:00:00:00:00:00. */
    public boolean isZero() {
        for (byte b : octets) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress && Arrays.equals(octets, ((MacAddress) o).octets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(octets);
    }

    /** Lower-case, colon-separated. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(Character.forDigit((octets[i] >> 4) & 0xf, 16)).append(Character.forDigit(octets[i] & 0xf, 16));
        }
        return s.toString();
    }
}
