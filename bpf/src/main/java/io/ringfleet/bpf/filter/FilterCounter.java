package io.ringfleet.bpf.filter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** struct rf_filter_counter summed over CPUs: packets, bytes and over-rate packets add up, the last hit is the latest. */
public record FilterCounter(long packets, long bytes, long lastHitNs, long overRate) {
    public static final int SIZE = 32;
    public static final int OFF_PACKETS = 0;
    public static final int OFF_BYTES = 8;
    public static final int OFF_LAST_HIT_NS = 16;
    public static final int OFF_OVER_RATE = 24;
    public static final FilterCounter ZERO = new FilterCounter(0, 0, 0, 0);

    public static FilterCounter decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new FilterCounter(
                b.getLong(OFF_PACKETS), b.getLong(OFF_BYTES), b.getLong(OFF_LAST_HIT_NS), b.getLong(OFF_OVER_RATE));
    }

    public static FilterCounter sum(List<byte[]> perCpu) {
        FilterCounter total = ZERO;
        for (byte[] cpu : perCpu) {
            FilterCounter c = decode(cpu);
            total = new FilterCounter(
                    total.packets + c.packets,
                    total.bytes + c.bytes,
                    Math.max(total.lastHitNs, c.lastHitNs),
                    total.overRate + c.overRate);
        }
        return total;
    }
}
