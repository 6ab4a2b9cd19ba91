package io.ringfleet.bpf.abi;

import java.nio.ByteBuffer;
import java.util.List;

/** struct rf_counter: one per-CPU cell of vip_stats, real_stats, global_stats, hc_stats. */
public record Counter(long packets, long bytes) {
    public static final int SIZE = 16;
    public static final int OFF_PACKETS = 0;
    public static final int OFF_BYTES = 8;
    public static final Counter ZERO = new Counter(0, 0);

    public byte[] encode() {
        return Wire.le(SIZE)
                .putLong(OFF_PACKETS, packets)
                .putLong(OFF_BYTES, bytes)
                .array();
    }

    public static Counter decode(byte[] bytes) {
        ByteBuffer b = Wire.le(bytes, SIZE, "rf_counter");
        return new Counter(b.getLong(OFF_PACKETS), b.getLong(OFF_BYTES));
    }

    public Counter plus(Counter o) {
        return new Counter(packets + o.packets, bytes + o.bytes);
    }

    /** The total over CPUs of per-CPU values (as from BpfMap#lookupPerCpu). */
    public static Counter sum(List<byte[]> perCpu) {
        Counter total = ZERO;
        for (byte[] v : perCpu) {
            total = total.plus(decode(v));
        }
        return total;
    }
}
