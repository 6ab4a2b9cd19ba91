package io.ringfleet.bpf.abi;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * struct rf_hc_ctl: how the health-check forwarder builds outer packets. A null source of a family
 * means none (packets to reals of that family are dropped and counted); ifindex 0 keeps the packet
 * on its device; an all-zero MAC keeps the packet's MAC.
 */
public record HcCtl(
        Inet4Address sourceV4, Inet6Address sourceV6, int ifindex, byte[] sourceMac, byte[] destinationMac) {
    public static final int SIZE = 36;
    public static final int OFF_SRC_V4 = 0;
    public static final int OFF_SRC_V6 = 4;
    public static final int OFF_IFINDEX = 20;
    public static final int OFF_SRC_MAC = 24;
    public static final int OFF_DST_MAC = 30;
    /** hc_ctl index of the one entry. */
    public static final int MAIN = 0;

    public HcCtl {
        sourceMac = sourceMac == null ? new byte[6] : Wire.mac(sourceMac, "source MAC");
        destinationMac = destinationMac == null ? new byte[6] : Wire.mac(destinationMac, "destination MAC");
        if (ifindex < 0) {
            throw new IllegalArgumentException("ifindex must be >= 0, got " + ifindex);
        }
    }

    @Override
    public byte[] sourceMac() {
        return sourceMac.clone();
    }

    @Override
    public byte[] destinationMac() {
        return destinationMac.clone();
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        if (sourceV4 != null) {
            b.put(OFF_SRC_V4, sourceV4.getAddress());
        }
        if (sourceV6 != null) {
            b.put(OFF_SRC_V6, sourceV6.getAddress());
        }
        b.putInt(OFF_IFINDEX, ifindex);
        b.put(OFF_SRC_MAC, sourceMac);
        b.put(OFF_DST_MAC, destinationMac);
        return b.array();
    }

    public static HcCtl decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_hc_ctl");
        byte[] v4 = Arrays.copyOfRange(bytes, OFF_SRC_V4, OFF_SRC_V4 + 4);
        byte[] v6 = Arrays.copyOfRange(bytes, OFF_SRC_V6, OFF_SRC_V6 + 16);
        InetAddress a4 = Wire.allZero(v4) ? null : Wire.getAddr(b, OFF_SRC_V4, false);
        InetAddress a6 = Wire.allZero(v6) ? null : Wire.getAddr(b, OFF_SRC_V6, true);
        return new HcCtl(
                (Inet4Address) a4,
                (Inet6Address) a6,
                b.getInt(OFF_IFINDEX),
                Arrays.copyOfRange(bytes, OFF_SRC_MAC, OFF_SRC_MAC + 6),
                Arrays.copyOfRange(bytes, OFF_DST_MAC, OFF_DST_MAC + 6));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HcCtl c
                && Objects.equals(sourceV4, c.sourceV4)
                && Objects.equals(sourceV6, c.sourceV6)
                && ifindex == c.ifindex
                && Arrays.equals(sourceMac, c.sourceMac)
                && Arrays.equals(destinationMac, c.destinationMac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceV4, sourceV6, ifindex, Arrays.hashCode(sourceMac), Arrays.hashCode(destinationMac));
    }

    @Override
    public String toString() {
        return "HcCtl[v4=" + sourceV4 + " v6=" + sourceV6 + " ifindex=" + ifindex + " srcMac="
                + Wire.macString(sourceMac) + " dstMac=" + Wire.macString(destinationMac) + "]";
    }
}
