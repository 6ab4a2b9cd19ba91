package io.ringfleet.bpf.abi;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** struct rf_hc_real: hc_reals value, where packets with a given SO_MARK are encapsulated to. */
public record HcReal(InetAddress address) {
    public static final int SIZE = 20;
    public static final int OFF_ADDR = 0;
    public static final int OFF_FLAGS = 16;

    public HcReal {
        Wire.requireAddr(address, "health-check real address");
    }

    public int flags() {
        return Wire.isV6(address) ? Real.F_V6 : 0;
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        Wire.putAddr(b, OFF_ADDR, address);
        b.put(OFF_FLAGS, (byte) flags());
        return b.array();
    }

    public static HcReal decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_hc_real");
        return new HcReal(Wire.getAddr(b, OFF_ADDR, (b.get(OFF_FLAGS) & Real.F_V6) != 0));
    }
}
