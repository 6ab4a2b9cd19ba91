package io.ringfleet.bpf.abi;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** struct rf_real: a real (backend) of the reals array. RF_REAL_F_V6 follows the address family. */
public record Real(InetAddress address) {
    public static final int SIZE = 20;
    public static final int OFF_ADDR = 0;
    public static final int OFF_FLAGS = 16;
    public static final int F_V6 = 1;

    public Real {
        Wire.requireAddr(address, "real address");
    }

    public int flags() {
        return Wire.isV6(address) ? F_V6 : 0;
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        Wire.putAddr(b, OFF_ADDR, address);
        b.put(OFF_FLAGS, (byte) flags());
        return b.array();
    }

    public static Real decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_real");
        return new Real(Wire.getAddr(b, OFF_ADDR, (b.get(OFF_FLAGS) & F_V6) != 0));
    }
}
