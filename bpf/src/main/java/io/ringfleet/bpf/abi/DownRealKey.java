package io.ringfleet.bpf.abi;

import java.nio.ByteBuffer;

/** struct rf_down_real_key: a down real of a UDP-flow-migration VIP (value: u8 1). */
public record DownRealKey(int vipNum, int realIndex) {
    public static final int SIZE = 8;
    public static final int OFF_VIP_NUM = 0;
    public static final int OFF_REAL_INDEX = 4;

    public byte[] encode() {
        return Wire.le(SIZE)
                .putInt(OFF_VIP_NUM, vipNum)
                .putInt(OFF_REAL_INDEX, realIndex)
                .array();
    }

    public static DownRealKey decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_down_real_key");
        return new DownRealKey(b.getInt(OFF_VIP_NUM), b.getInt(OFF_REAL_INDEX));
    }
}
