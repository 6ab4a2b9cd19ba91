package io.ringfleet.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One BPF_PROG_TEST_RUN request. Build with {@link #of(byte[])}.
 *
 * <p>Beware (STACK.md): with repeat &gt; 1 the kernel does not restore the packet between runs,
 * so a program that rewrites it sees its own output from the second run on. In live-frames mode
 * the frames really leave through the ingress device (XDP_TX / XDP_REDIRECT) and no data comes back.
 */
public final class TestRun {
    /** BPF_F_TEST_RUN_ON_CPU. */
    public static final int F_RUN_ON_CPU = 1;
    /** BPF_F_TEST_XDP_LIVE_FRAMES. */
    public static final int F_XDP_LIVE_FRAMES = 1 << 1;

    private final byte[] data;
    private int repeat = 1;
    private int flags;
    private int cpu;
    private int batchSize;
    private int dataOutCapacity;
    private byte[] context;
    private int contextOutCapacity;

    private TestRun(byte[] data) {
        this.data = Objects.requireNonNull(data, "data").clone();
        this.dataOutCapacity = data.length + 256;
    }

    /** A run of the program on this packet (Ethernet frame for XDP and tc). */
    public static TestRun of(byte[] packet) {
        return new TestRun(packet);
    }

    public TestRun repeat(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("repeat must be >= 1, got " + times);
        }
        this.repeat = times;
        return this;
    }

    /** Bytes reserved for the output packet (default: input + 256). */
    public TestRun dataOutCapacity(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("dataOutCapacity must be >= 0, got " + bytes);
        }
        this.dataOutCapacity = bytes;
        return this;
    }

    /** Run on this CPU (BPF_F_TEST_RUN_ON_CPU; the kernel allows it for some program types only). */
    public TestRun onCpu(int cpu) {
        this.cpu = cpu;
        this.flags |= F_RUN_ON_CPU;
        return this;
    }

    /** XDP: the packet arrives on ifindex (an xdp_md context with ingress_ifindex). */
    public TestRun ingressIfindex(int ifindex) {
        this.context = xdpContext(data.length, ifindex);
        return this;
    }

    /**
     * XDP live frames: frames go through the real XDP path of ingressIfindex (the device must be
     * in the calling thread's network namespace); XDP_TX transmits. No output data.
     *
     * @param batchSize frames per batch, 0 for the kernel's default (64)
     */
    public TestRun liveFrames(int ingressIfindex, int batchSize) {
        ingressIfindex(ingressIfindex);
        this.flags |= F_XDP_LIVE_FRAMES;
        this.batchSize = batchSize;
        this.dataOutCapacity = 0;
        return this;
    }

    /** tc / socket-filter programs: an __sk_buff context with this skb->mark. */
    public TestRun skbMark(int mark) {
        // struct __sk_buff starts: __u32 len, pkt_type, mark
        this.context = ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0)
                .putInt(0)
                .putInt(mark)
                .array();
        return this;
    }

    /**
     * Asks for the context after the run: capacity must be at least the kernel's size of the
     * context struct (24 for xdp_md; sizeof(struct __sk_buff) for tc), else ENOSPC.
     */
    public TestRun contextOut(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("contextOut capacity must be >= 0, got " + capacity);
        }
        this.contextOutCapacity = capacity;
        return this;
    }

    /** A raw context (struct xdp_md / __sk_buff bytes). */
    public TestRun context(byte[] ctx) {
        this.context = ctx == null ? null : ctx.clone();
        return this;
    }

    static byte[] xdpContext(int packetLength, int ingressIfindex) {
        // struct xdp_md { data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex }
        return ByteBuffer.allocate(24)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0)
                .putInt(packetLength)
                .putInt(0)
                .putInt(ingressIfindex)
                .putInt(0)
                .putInt(0)
                .array();
    }

    byte[] data() {
        return data;
    }

    int repeat() {
        return repeat;
    }

    int flags() {
        return flags;
    }

    int cpu() {
        return cpu;
    }

    int batchSize() {
        return batchSize;
    }

    int dataOutCapacity() {
        return dataOutCapacity;
    }

    byte[] context() {
        return context;
    }

    int contextOutCapacity() {
        return contextOutCapacity;
    }

    boolean liveFrames() {
        return (flags & F_XDP_LIVE_FRAMES) != 0;
    }

    /**
     * What the run returned: the program's return code, the kernel's average duration per
     * repetition in ns, the output packet and the output context.
     */
    public record Result(int retval, long durationNs, byte[] data, byte[] context) {}
}
