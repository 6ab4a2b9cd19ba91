package io.ringfleet.bpf.abi;

import java.nio.ByteBuffer;

/** struct rf_conn_rate: conn_rate's per-CPU new-connection window (key 0). */
public record ConnRate(long windowStartNs, long newConns) {
    public static final int SIZE = 16;
    public static final int OFF_WINDOW_START = 0;
    public static final int OFF_NEW_CONNS = 8;

    public byte[] encode() {
        return Wire.le(SIZE)
                .putLong(OFF_WINDOW_START, windowStartNs)
                .putLong(OFF_NEW_CONNS, newConns)
                .array();
    }

    public static ConnRate decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_conn_rate");
        return new ConnRate(b.getLong(OFF_WINDOW_START), b.getLong(OFF_NEW_CONNS));
    }
}
