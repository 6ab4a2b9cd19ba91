package io.ringfleet.bpf.abi;

import java.util.Arrays;

/** struct rf_ctl: a ctl_array value (at RF_CTL_GATEWAY_MAC: the next hop's MAC). */
public record Ctl(byte[] mac) {
    public static final int SIZE = 8;
    public static final int OFF_MAC = 0;
    public static final int GATEWAY_MAC = 0;

    public Ctl {
        mac = Wire.mac(mac, "ctl mac");
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    public byte[] encode() {
        return Arrays.copyOf(mac, SIZE);
    }

    public static Ctl decode(byte[] bytes) {
        Wire.le(bytes, SIZE, "rf_ctl");
        return new Ctl(Arrays.copyOfRange(bytes, OFF_MAC, OFF_MAC + 6));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ctl c && Arrays.equals(mac, c.mac);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mac);
    }

    @Override
    public String toString() {
        return "Ctl[mac=" + Wire.macString(mac) + "]";
    }
}
