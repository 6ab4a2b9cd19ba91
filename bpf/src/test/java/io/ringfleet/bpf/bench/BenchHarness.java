package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.GlobalCounter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Times one balancer path through bench_wrapper and proves what was timed: the balancer's counters
 * must show every repetition on the path, and the frame after the last repetition must be the
 * balancer's own output for that frame.
 */
final class BenchHarness {
    /** The balancer's new-connection limit per second and CPU (RF_MAX_CONN_RATE): a call makes at most this many flows. */
    static final int MAX_NEW_FLOWS_PER_CALL = 125_000;
    /** bench_wrapper's bench_cfg indexes (enum rf_bench_cfg). */
    private static final int CFG_SPORT_OFF = 0;

    private static final int CFG_FRAME_LEN = 1;
    /** RF_BENCH_RESTORE: the bytes the wrapper restores. */
    private static final int RESTORE = 64;

    private static final int ETH_HLEN = 14;
    private static final int XDP_PASS = 2;
    private static final int XDP_TX = 3;
    private static final int WARMUP = 10_000;
    private static final int OUTPUT_CHECK_REPEAT = 1_000;

    private final NetNs ns;
    private final int ifindex;
    private final BpfProgram wrapper;
    private final Map<GlobalCounter, BpfProgram> trivial = new EnumMap<>(GlobalCounter.class);
    private final BpfMap frameMap;
    private final BpfMap cfg;
    private final BpfMap target;
    private final BalancerRig rig;
    private final int repeat;
    private final int runs;

    BenchHarness(NetNs ns, int ifindex, BpfObject wrapperObject, BalancerRig rig, int repeat, int runs) {
        this.ns = ns;
        this.ifindex = ifindex;
        this.wrapper = wrapperObject.program("bench_wrapper");
        this.trivial.put(GlobalCounter.XDP_TX, wrapperObject.program("bench_tx"));
        this.trivial.put(GlobalCounter.XDP_PASS, wrapperObject.program("bench_pass"));
        this.frameMap = wrapperObject.map("bench_frame");
        this.cfg = wrapperObject.map("bench_cfg");
        this.target = wrapperObject.map("bench_target");
        this.rig = rig;
        this.repeat = repeat;
        this.runs = runs;
    }

    /** One measured path. */
    record Result(
            String name, String verdict, String method, double grossNs, double baselineNs, Map<String, Object> checks) {
        double netNs() {
            return grossNs - baselineNs;
        }

        Result named(String newName) {
            return new Result(newName, verdict, method, grossNs, baselineNs, checks);
        }

        String json() {
            String checkJson = checks.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\": "
                            + (e.getValue() instanceof String s ? "\"" + s + "\"" : e.getValue()))
                    .collect(Collectors.joining(", "));
            return "{\"path\": \"" + name + "\", \"verdict\": \"" + verdict + "\", \"method\": \"" + method
                    + "\", \"net_ns\": " + DatapathBench.format(netNs()) + ", \"gross_ns\": "
                    + DatapathBench.format(grossNs)
                    + ", \"baseline_ns\": " + DatapathBench.format(baselineNs) + ", \"checks\": {" + checkJson + "}}";
        }
    }

    /**
     * Times the balancer on frame (with a new source port per repetition when newFlows), then the
     * wrapper around a trivial program of the same verdict.
     *
     * @param verdict XDP_TX or XDP_PASS: the action counter every repetition must add to
     * @param path the counter every repetition must add to as well (null: none besides the verdict)
     * @throws IllegalStateException when a counter or the output frame shows another path
     */
    Result measure(
            String name, byte[] frame, boolean newFlows, boolean live, GlobalCounter verdict, GlobalCounter path) {
        int sportOffset = newFlows ? Packets.sourcePortOffset(frame) : 0;
        frameMap.update(BpfMap.u32(0), Arrays.copyOf(frame, RESTORE));
        cfg.update(BpfMap.u32(CFG_SPORT_OFF), BpfMap.u32(sportOffset));
        cfg.update(BpfMap.u32(CFG_FRAME_LEN), BpfMap.u32(frame.length));

        target.setProgram(0, rig.program());
        warmUp(frame, live); // the flow's first packet on this CPU is not a hit: not counted
        Map<GlobalCounter, Long> before = counters(verdict, path);
        double gross = timed(frame, live);
        byte[] out = run(TestRun.of(frame).repeat(OUTPUT_CHECK_REPEAT), verdict);
        long packets = (long) runs * repeat + OUTPUT_CHECK_REPEAT;

        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("packets", packets);
        Map<GlobalCounter, Long> after = counters(verdict, path);
        for (GlobalCounter c : after.keySet()) {
            long delta = after.get(c) - before.get(c);
            checks.put(c.name().toLowerCase(Locale.ROOT), delta);
            checkCounter(name, c, delta, packets);
        }
        checks.put("output_frame", checkOutput(name, frame, sportOffset, out));

        target.setProgram(0, trivial.get(verdict));
        warmUp(frame, live);
        double baseline = timed(frame, live);
        return new Result(
                name, verdict.name(), live ? "live_frames+wrapper" : "plain_repeat+wrapper", gross, baseline, checks);
    }

    /**
     * Every repetition must count as the verdict and the path, and no new flow may be rate-limited.
     * The one allowance: a connection-table hit path may miss once on each CPU the thread moved to
     * after the warm-up (the flow's first packet there), so up to one miss per possible CPU.
     */
    private static void checkCounter(String name, GlobalCounter c, long delta, long packets) {
        long expected = c == GlobalCounter.NEW_CONN_LIMITED ? 0 : packets;
        long allowance = c == GlobalCounter.LRU_HIT ? Bpf.numPossibleCpus() : 0;
        if (delta > expected || delta < expected - allowance) {
            throw new IllegalStateException(name + ": counter " + c + " grew by " + delta + ", expected " + expected
                    + ": the repetitions did not all take the measured path");
        }
    }

    private void warmUp(byte[] frame, boolean live) {
        ns.run(() -> {
            rig.resetConnRate();
            wrapper.testRun(request(frame, live).repeat(WARMUP));
        });
    }

    /** Median ns/packet of `runs` calls of the wrapper tail-calling bench_target[0]. */
    private double timed(byte[] frame, boolean live) {
        double[] ns = new double[runs];
        this.ns.run(() -> {
            for (int i = 0; i < runs; i++) {
                rig.resetConnRate(); // keep new flows under the limiter's per-window threshold
                ns[i] = wrapper.testRun(request(frame, live).repeat(repeat)).durationNs();
            }
        });
        return median(ns);
    }

    private TestRun request(byte[] frame, boolean live) {
        return live ? TestRun.of(frame).liveFrames(ifindex, 0) : TestRun.of(frame);
    }

    /** A plain run of the wrapper: the frame after its last repetition. */
    private byte[] run(TestRun request, GlobalCounter verdict) {
        rig.resetConnRate();
        TestRun.Result r = wrapper.testRun(request);
        int expected = verdict == GlobalCounter.XDP_TX ? XDP_TX : XDP_PASS;
        if (r.retval() != expected) {
            throw new IllegalStateException("the wrapper returned " + r.retval() + ", expected " + expected);
        }
        return r.data();
    }

    /**
     * The output of the last repetition must be what the balancer makes of its input on its own:
     * recover that input from the inner packet (only the varied source port may differ from the
     * frame), run the balancer once on it, compare byte for byte.
     */
    private String checkOutput(String name, byte[] frame, int sportOffset, byte[] out) {
        int grown = out.length - frame.length;
        if (grown < 0) {
            throw new IllegalStateException(name + ": output frame shorter than the input");
        }
        byte[] input = frame.clone();
        System.arraycopy(out, ETH_HLEN + grown, input, ETH_HLEN, frame.length - ETH_HLEN);
        byte[] expectedInput = frame.clone();
        if (sportOffset > 0) {
            expectedInput[sportOffset] = input[sportOffset];
            expectedInput[sportOffset + 1] = input[sportOffset + 1];
        }
        if (!Arrays.equals(input, expectedInput)) {
            throw new IllegalStateException(name + ": the inner packet of the output is not the input frame");
        }
        rig.resetConnRate();
        byte[] reference = rig.program().testRun(TestRun.of(input)).data();
        if (!Arrays.equals(reference, out)) {
            throw new IllegalStateException(name + ": the frame after the last repetition differs from the "
                    + "balancer's output for that frame");
        }
        return "equal";
    }

    private Map<GlobalCounter, Long> counters(GlobalCounter verdict, GlobalCounter path) {
        Map<GlobalCounter, Long> m = new EnumMap<>(GlobalCounter.class);
        m.put(verdict, rig.global(verdict.index()).packets());
        if (path != null) {
            m.put(path, rig.global(path.index()).packets());
        }
        m.put(
                GlobalCounter.NEW_CONN_LIMITED,
                rig.global(GlobalCounter.NEW_CONN_LIMITED.index()).packets());
        return m;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
