package io.ringfleet.bpf.abi;

import java.nio.ByteBuffer;

/** struct rf_conn: the connection-table value (real index; last-packet time for UDP). */
public record Conn(int realIndex, long atimeNs) {
    public static final int SIZE = 16;
    public static final int OFF_REAL_INDEX = 0;
    public static final int OFF_ATIME = 8;

    public byte[] encode() {
        return Wire.le(SIZE)
                .putInt(OFF_REAL_INDEX, realIndex)
                .putLong(OFF_ATIME, atimeNs)
                .array();
    }

    public static Conn decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_conn");
        return new Conn(b.getInt(OFF_REAL_INDEX), b.getLong(OFF_ATIME));
    }
}
