package io.ringfleet.bpf.abi;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** struct rf_vip_key: the vip_map key (address, port, protocol; the family keeps v4 and v6 apart). */
public record VipKey(InetAddress address, int port, int protocol) {
    public static final int SIZE = 20;
    public static final int OFF_ADDR = 0;
    public static final int OFF_PORT = 16;
    public static final int OFF_PROTO = 18;
    public static final int OFF_FAMILY = 19;
    public static final int FAMILY_V4 = 4;
    public static final int FAMILY_V6 = 6;

    public VipKey {
        Wire.requireAddr(address, "VIP address");
        Wire.requirePort(port, "VIP port");
        Wire.requireU8(protocol, "VIP protocol");
    }

    public int family() {
        return Wire.isV6(address) ? FAMILY_V6 : FAMILY_V4;
    }

    public byte[] encode() {
        ByteBuffer b = Wire.le(SIZE);
        Wire.putAddr(b, OFF_ADDR, address);
        Wire.putBe16(b, OFF_PORT, port);
        b.put(OFF_PROTO, (byte) protocol);
        b.put(OFF_FAMILY, (byte) family());
        return b.array();
    }

    public static VipKey decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_vip_key");
        int family = b.get(OFF_FAMILY);
        if (family != FAMILY_V4 && family != FAMILY_V6) {
            throw new IllegalArgumentException("rf_vip_key family must be 4 or 6, got " + family);
        }
        return new VipKey(
                Wire.getAddr(b, OFF_ADDR, family == FAMILY_V6), Wire.getBe16(b, OFF_PORT), b.get(OFF_PROTO) & 0xff);
    }
}
