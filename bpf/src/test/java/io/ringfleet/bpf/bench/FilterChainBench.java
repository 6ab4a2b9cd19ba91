package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.filter.FilterGlobal;
import io.ringfleet.bpf.filter.FilterProgram;
import io.ringfleet.bpf.filter.FilterRule;
import io.ringfleet.bpf.testing.Bpffs;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The balancer behind xdp_root, timed with slot 0 empty ("without") and with the loaded pre-filter in slot 0
 * ("with"), the balancer in slot 1 both times: bench_wrapper → xdp_root → [filter →] balancer, plain repeat. The two
 * are timed alternately, call by call, so drift on a shared machine hits both alike; the wrapper around
 * {@code bench_tx} / {@code bench_drop} is the baseline that gives the balancer's own cost. Checks, or the bench
 * fails: the balancer's XDP_TX (or the filter's DROPPED) counter grew by exactly the repetitions run, the filter's
 * HANDED_ON by those of the "with" calls, and the frame after the last repetition is the same with and without.
 */
final class FilterChainBench implements AutoCloseable {
    static final int FILTER_SLOT = 0;
    static final int BALANCER_SLOT = 1;
    private static final int XDP_DROP = 1;
    private static final int XDP_TX = 3;
    private static final int CFG_SPORT_OFF = 0;
    private static final int CFG_FRAME_LEN = 1;
    private static final int RESTORE = 64;
    private static final int WARMUP = 10_000;
    private static final int MAX_VIPS = 2;
    private static final int FLOWS_PER_CPU = 65_536;

    /** One path: a frame, the verdict of the chain with the filter, and the one without. */
    record ChainPath(String name, byte[] frame, int verdictWith, int verdictWithout) {}

    private final Path dir;
    private final BpfObject rootObject;
    private final BpfMap slots;
    private final BalancerRig balancer;
    private final FilterProgram filter;
    private final BpfObject wrapperObject;
    private final int repeat;
    private final int runs;

    /** Loads xdp_root (its array pinned in a fresh bpffs directory), the filter with {@code rules}, the balancer. */
    FilterChainBench(BpfObject wrapperObject, List<FilterRule> rules, int repeat, int runs) {
        this.wrapperObject = wrapperObject;
        this.repeat = repeat;
        this.runs = runs;
        dir = Bpffs.createDir("rf-bench-prefilter");
        rootObject =
                BpfObject.open(Bpf.shippedObject("xdp_root")).pinMapsIn(dir).load();
        slots = rootObject.map(MapNames.ROOT_ARRAY);
        filter = FilterProgram.chained(dir.resolve(MapNames.ROOT_ARRAY), FILTER_SLOT, Map.of());
        filter.install(rules);
        balancer = new BalancerRig(Bpf.shippedObject("balancer"), MAX_VIPS, FLOWS_PER_CPU);
        slots.setProgram(BALANCER_SLOT, balancer.program());
    }

    /** The balancer's VIPs: {@code vip} TCP port {@code tcpPort} and UDP port 53, every slot on one real. */
    void provision(InetAddress vip, int tcpPort, InetAddress real) {
        balancer.setReal(1, real);
        balancer.addVip(vip, tcpPort, Packets.TCP, 0, 0, 1);
        balancer.addVip(vip, 53, Packets.UDP, 1, 0, 1);
        balancer.setGatewayMac(new byte[] {0x02, 0x52, 0x46, 0, 0, 0x09});
    }

    /** Times the path with and without the filter and returns its JSON line. */
    String time(ChainPath p) {
        BpfProgram wrapper = wrapperObject.program("bench_wrapper");
        wrapperObject.map("bench_frame").update(BpfMap.u32(0), Arrays.copyOf(p.frame(), RESTORE));
        wrapperObject.map("bench_cfg").update(BpfMap.u32(CFG_SPORT_OFF), BpfMap.u32(0));
        wrapperObject.map("bench_cfg").update(BpfMap.u32(CFG_FRAME_LEN), BpfMap.u32(p.frame().length));
        BpfMap target = wrapperObject.map("bench_target");
        target.setProgram(0, rootObject.program("xdp_root"));

        byte[] outWithout = lastFrame(wrapper, p, false);
        byte[] outWith = lastFrame(wrapper, p, true);
        String output = outputCheck(p, outWith, outWithout);
        long forwarded = balancer.global(GlobalCounter.XDP_TX.index()).packets();
        long handedOn = filter.global(FilterGlobal.HANDED_ON).packets();
        long dropped = filter.global(FilterGlobal.DROPPED).packets();
        double[] without = new double[runs];
        double[] with = new double[runs];
        for (int i = 0; i < runs; i++) { // alternately, so drift hits both alike
            without[i] = timed(wrapper, p, false);
            with[i] = timed(wrapper, p, true);
        }
        long perSide = (long) runs * repeat;
        long txExpected = perSide * ((p.verdictWith() == XDP_TX ? 1 : 0) + (p.verdictWithout() == XDP_TX ? 1 : 0));
        check(
                p,
                "balancer XDP_TX",
                balancer.global(GlobalCounter.XDP_TX.index()).packets() - forwarded,
                txExpected);
        long handedOnExpected = p.verdictWith() == XDP_DROP ? 0 : perSide;
        check(p, "filter HANDED_ON", filter.global(FilterGlobal.HANDED_ON).packets() - handedOn, handedOnExpected);
        check(p, "filter DROPPED", filter.global(FilterGlobal.DROPPED).packets() - dropped, perSide - handedOnExpected);

        target.setProgram(0, wrapperObject.program(p.verdictWithout() == XDP_TX ? "bench_tx" : "bench_drop"));
        double baseline = median(repeatRuns(wrapper, p));
        return json(p, median(without), median(with), baseline, output);
    }

    /** The frame after a plain call of the chain, warming it up (the flow enters the connection table). */
    private byte[] lastFrame(BpfProgram wrapper, ChainPath p, boolean withFilter) {
        setFilter(withFilter);
        TestRun.Result r = wrapper.testRun(TestRun.of(p.frame()).repeat(WARMUP));
        int expected = withFilter ? p.verdictWith() : p.verdictWithout();
        if (r.retval() != expected) {
            throw new IllegalStateException(p.name() + (withFilter ? " with" : " without") + " the filter: verdict "
                    + r.retval() + ", expected " + expected);
        }
        return r.data();
    }

    private String outputCheck(ChainPath p, byte[] with, byte[] without) {
        if (p.verdictWith() != p.verdictWithout()) {
            return "not compared (the filter drops)";
        }
        byte[] alone = balancer.program().testRun(TestRun.of(p.frame())).data();
        if (!Arrays.equals(with, without) || !Arrays.equals(with, alone)) {
            throw new IllegalStateException(p.name() + ": the frame through the filter differs from the balancer's");
        }
        return "equal";
    }

    private void setFilter(boolean withFilter) {
        if (withFilter) {
            slots.setProgram(FILTER_SLOT, filter.program());
        } else {
            slots.clearSlot(FILTER_SLOT);
        }
    }

    private double timed(BpfProgram wrapper, ChainPath p, boolean withFilter) {
        setFilter(withFilter);
        return wrapper.testRun(TestRun.of(p.frame()).repeat(repeat)).durationNs();
    }

    private double[] repeatRuns(BpfProgram wrapper, ChainPath p) {
        wrapper.testRun(TestRun.of(p.frame()).repeat(WARMUP));
        double[] ns = new double[runs];
        for (int i = 0; i < runs; i++) {
            ns[i] = wrapper.testRun(TestRun.of(p.frame()).repeat(repeat)).durationNs();
        }
        return ns;
    }

    private static void check(ChainPath p, String counter, long moved, long expected) {
        if (moved != expected) {
            throw new IllegalStateException(p.name() + ": " + counter + " grew by " + moved + ", expected " + expected
                    + ": the repetitions did not all take the measured path");
        }
    }

    private static String json(ChainPath p, double without, double with, double baseline, String output) {
        double balancerNet = without - baseline;
        double added = with - without;
        return String.format(
                Locale.ROOT,
                "{\"path\": \"%s\", \"without_filter_ns\": %.1f, \"with_filter_ns\": %.1f, \"added_ns\": %.1f, "
                        + "\"baseline_ns\": %.1f, \"balancer_net_ns\": %.1f, \"with_over_without\": %.3f, "
                        + "\"added_over_balancer_net\": %.3f, \"output_frame\": \"%s\"}",
                p.name(),
                without,
                with,
                added,
                baseline,
                balancerNet,
                with / without,
                added / balancerNet,
                output);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {balancer, filter, slots, rootObject}) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        Bpffs.deleteTree(dir);
    }
}
