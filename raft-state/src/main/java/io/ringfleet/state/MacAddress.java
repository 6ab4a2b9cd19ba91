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
   * Parses six two-digit hex octets separated by colons.
   *
   * @throws IllegalArgumentException if the text is not in that form
   */
  public static MacAddress parse(String text) {
    if (text == null || text.length() != 17) {
      throw new IllegalArgumentException("expected six hex octets separated by colons");
    }
    byte[] out = new byte[6];
    for (int i = 0; i < 6; i++) {
      int hi = Character.digit(text.charAt(3 * i), 16);
      int lo = Character.digit(text.charAt(3 * i + 1), 16);
      if (hi < 0 || lo < 0 || text.charAt(3 * i) > 'f' || text.charAt(3 * i + 1) > 'f'
          || (i < 5 && text.charAt(3 * i + 2) != ':')) {
        throw new IllegalArgumentException("expected six hex octets separated by colons");
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return new MacAddress(out);
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
