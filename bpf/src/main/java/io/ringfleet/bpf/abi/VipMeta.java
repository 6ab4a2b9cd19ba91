package io.ringfleet.bpf.abi;

import java.nio.ByteBuffer;

/** struct rf_vip_meta: the vip_map value (RF_VIP_F_* flags and the VIP's number). */
public record VipMeta(int flags, int vipNum) {
    public static final int SIZE = 8;
    public static final int OFF_FLAGS = 0;
    public static final int OFF_VIP_NUM = 4;

    public VipMeta {
        if (vipNum < 0) {
            throw new IllegalArgumentException("vipNum must be >= 0, got " + vipNum);
        }
    }

    public byte[] encode() {
        return Wire.le(SIZE)
                .putInt(OFF_FLAGS, flags)
                .putInt(OFF_VIP_NUM, vipNum)
                .array();
    }

    public static VipMeta decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_vip_meta");
        return new VipMeta(b.getInt(OFF_FLAGS), b.getInt(OFF_VIP_NUM));
    }
}
