package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.GlobalCounter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ns/packet of the XDP balancer on its main paths, printed as JSON.
 *
 * <p>Method (STACK.md): forwarded paths run in BPF_PROG_TEST_RUN live-frames mode on a veth inside
 * a namespace this program creates (an XDP drop program on the peer consumes the transmitted
 * frames), through bench_wrapper, which restores the frame's first bytes and tail-calls the
 * balancer. The same wrapper with a trivial target of the same verdict is timed too, and
 * net = gross - that baseline: the balancer's own cost. The non-VIP path changes no byte and
 * runs with plain repeat (no wrapper). Each figure is the median of several runs.
 *
 * <p>Usage: {@code DatapathBench [--balancer PATH] [--repeat N] [--runs R]} (root; the default
 * balancer is the one shipped in the jar).
 */
public final class DatapathBench {
    private static final InetAddress CLIENT4 = addr("10.90.0.10");
    private static final InetAddress CLIENT6 = addr("fd00:90::10");
    private static final InetAddress VIP4 = addr("10.91.0.1");
    private static final InetAddress VIP6 = addr("fd00:91::1");
    private static final InetAddress OTHER4 = addr("10.91.0.99");
    private static final InetAddress REAL4 = addr("10.92.0.1");
    private static final InetAddress REAL6 = addr("fd00:92::1");
    private static final int XDP_PASS = 2;
    private static final int XDP_TX = 3;

    private final int repeat;
    private final int runs;

    private DatapathBench(int repeat, int runs) {
        this.repeat = repeat;
        this.runs = runs;
    }

    /** One measured path. */
    record Result(String name, String verdict, double grossNs, double baselineNs, String method,
                  Map<String, Object> checks) {
        double netNs() {
            return grossNs - baselineNs;
        }
    }

    public static void main(String[] args) throws Exception {
        Path balancer = null;
        int repeat = 100_000;
        int runs = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--balancer" -> balancer = Path.of(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: DatapathBench [--balancer PATH] [--repeat N] [--runs R]");
                    System.exit(2);
                }
            }
        }
        if (balancer == null) {
            balancer = Bpf.shippedObject("balancer");
        }
        if (!Files.isRegularFile(balancer)) {
            throw new IllegalArgumentException("no balancer object at " + balancer);
        }
        System.out.println(new DatapathBench(repeat, runs).run(balancer));
    }

    /** Runs every scenario and returns the JSON report. */
    String run(Path balancerObject) {
        List<Result> results;
        try (NetNs lb = NetNs.create("rfbench"); NetNs peer = NetNs.create("rfbpeer");
             BpfObject harness = BpfObject.open(Bpf.shippedObject("bench_wrapper")).load();
             BpfProgram wrapper = harness.program("bench_wrapper");
             BpfProgram tx = harness.program("bench_tx");
             BpfProgram pass = harness.program("bench_pass");
             BpfProgram drop = harness.program("bench_drop");
             BpfMap frameMap = harness.map("bench_frame");
             BpfMap cfg = harness.map("bench_cfg");
             BpfMap target = harness.map("bench_target");
             BalancerRig rig = new BalancerRig(balancerObject, 2, 65536)) {
            NetNs.vethPair(lb, "bench0", peer, "bench1");
            peer.run(() -> Xdp.attach(Xdp.ifindex("bench1"), drop, Xdp.Mode.DRIVER));
            rig.setReal(1, REAL4);
            rig.setReal(2, REAL6);
            rig.addVip(VIP4, 80, Packets.TCP, 0, 0, 1);
            rig.addVip(VIP6, 80, Packets.TCP, 1, 0, 2);
            rig.setGatewayMac(new byte[] {0x02, 0x52, 0x46, 0, 0, 0x09});

            Harness h = new Harness(lb, lb.ifindex("bench0"), wrapper, frameMap, cfg, target, rig);
            results = new ArrayList<>();
            byte[] hit4 = Packets.frame(CLIENT4, VIP4, Packets.TCP, 40000, 80, Packets.ACK, 64);
            byte[] syn4 = Packets.frame(CLIENT4, VIP4, Packets.TCP, 40000, 80, Packets.SYN, 64);
            byte[] hit6 = Packets.frame(CLIENT6, VIP6, Packets.TCP, 40000, 80, Packets.ACK, 64);
            byte[] other = Packets.frame(CLIENT4, OTHER4, Packets.UDP, 40000, 53, 0, 64);

            results.add(h.live("v4_tcp_lru_hit_ipip", hit4, 0, tx, XDP_TX, GlobalCounter.LRU_HIT));
            results.add(h.live("v4_tcp_syn_new_flow_ipip", syn4, Packets.sourcePortOffset(CLIENT4), tx, XDP_TX,
                    GlobalCounter.LRU_MISS_TCP_SYN));
            results.add(h.plain("v4_non_vip_pass", other, pass, XDP_PASS));
            results.add(h.live("v6_tcp_lru_hit_ip6ip6", hit6, 0, tx, XDP_TX, GlobalCounter.LRU_HIT));
        }
        return json(balancerObject, results);
    }

    private final class Harness {
        private final NetNs ns;
        private final int ifindex;
        private final BpfProgram wrapper;
        private final BpfMap frameMap;
        private final BpfMap cfg;
        private final BpfMap target;
        private final BalancerRig rig;

        Harness(NetNs ns, int ifindex, BpfProgram wrapper, BpfMap frameMap, BpfMap cfg, BpfMap target,
                BalancerRig rig) {
            this.ns = ns;
            this.ifindex = ifindex;
            this.wrapper = wrapper;
            this.frameMap = frameMap;
            this.cfg = cfg;
            this.target = target;
            this.rig = rig;
        }

        /** Median ns/packet of `runs` live-frames runs of the wrapper tail-calling prog. */
        private double liveMedian(byte[] frame, BpfProgram prog) {
            target.setProgram(0, prog);
            TestRun run = TestRun.of(frame).liveFrames(ifindex, 0).repeat(repeat);
            double[] ns = new double[runs];
            this.ns.run(() -> {
                rig.resetConnRate();
                wrapper.testRun(TestRun.of(frame).liveFrames(ifindex, 0).repeat(Math.min(repeat, 10_000)));
                for (int i = 0; i < runs; i++) {
                    rig.resetConnRate(); // keep new flows under the limiter's per-window threshold
                    ns[i] = wrapper.testRun(run).durationNs();
                }
            });
            return median(ns);
        }

        Result live(String name, byte[] frame, int sportOffset, BpfProgram trivial, int verdict,
                    GlobalCounter expected) {
            frameMap.update(BpfMap.u32(0), Arrays.copyOf(frame, 64));
            cfg.update(BpfMap.u32(0), BpfMap.u32(sportOffset));
            // the path really taken, checked on the balancer's own counters
            Counter tx0 = rig.global(GlobalCounter.XDP_TX.index());
            Counter exp0 = rig.global(expected.index());
            Counter lim0 = rig.global(GlobalCounter.NEW_CONN_LIMITED.index());
            double gross = liveMedian(frame, rig.program());
            long packets = (long) runs * repeat + Math.min(repeat, 10_000);
            Map<String, Object> checks = new LinkedHashMap<>();
            checks.put("packets", packets);
            checks.put("xdp_tx", rig.global(GlobalCounter.XDP_TX.index()).packets() - tx0.packets());
            checks.put(expected.name().toLowerCase(Locale.ROOT),
                    rig.global(expected.index()).packets() - exp0.packets());
            checks.put("new_conn_limited", rig.global(GlobalCounter.NEW_CONN_LIMITED.index()).packets() - lim0.packets());
            double baseline = liveMedian(frame, trivial);
            return new Result(name, verdict == XDP_TX ? "XDP_TX" : "XDP_PASS", gross, baseline,
                    "live_frames+wrapper", checks);
        }

        Result plain(String name, byte[] frame, BpfProgram trivial, int verdict) {
            Counter pass0 = rig.global(GlobalCounter.XDP_PASS.index());
            double[] gross = new double[runs];
            double[] base = new double[runs];
            int[] retval = new int[1];
            for (int i = 0; i < runs; i++) {
                TestRun.Result r = rig.program().testRun(TestRun.of(frame).repeat(repeat));
                retval[0] = r.retval();
                gross[i] = r.durationNs();
                base[i] = trivial.testRun(TestRun.of(frame).repeat(repeat)).durationNs();
            }
            Map<String, Object> checks = new LinkedHashMap<>();
            checks.put("packets", (long) runs * repeat);
            checks.put("xdp_pass", rig.global(GlobalCounter.XDP_PASS.index()).packets() - pass0.packets());
            checks.put("retval", retval[0]);
            if (retval[0] != verdict) {
                throw new IllegalStateException(name + ": balancer returned " + retval[0] + ", expected " + verdict);
            }
            return new Result(name, "XDP_PASS", median(gross), median(base), "plain_repeat", checks);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private String json(Path balancer, List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n");
        sb.append("  \"kernel\": \"").append(System.getProperty("os.version")).append("\",\n");
        sb.append("  \"possible_cpus\": ").append(Bpf.numPossibleCpus()).append(",\n");
        sb.append("  \"balancer\": \"").append(balancer.getFileName()).append("\",\n");
        sb.append("  \"repeat\": ").append(repeat).append(",\n");
        sb.append("  \"runs\": ").append(runs).append(",\n");
        sb.append("  \"unit\": \"ns/packet, median of runs; net = gross - baseline (harness with a trivial "
                + "program of the same verdict)\",\n");
        sb.append("  \"scenarios\": [\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append("    {\"name\": \"").append(r.name()).append("\", \"verdict\": \"").append(r.verdict())
                    .append("\", \"method\": \"").append(r.method())
                    .append(String.format(Locale.ROOT, "\", \"net_ns\": %.1f, \"gross_ns\": %.1f, \"baseline_ns\": %.1f",
                            r.netNs(), r.grossNs(), r.baselineNs()))
                    .append(", \"checks\": {");
            int j = 0;
            for (Map.Entry<String, Object> e : r.checks().entrySet()) {
                sb.append(j++ > 0 ? ", " : "").append('"').append(e.getKey()).append("\": ").append(e.getValue());
            }
            sb.append("}}").append(i + 1 < results.size() ? "," : "").append('\n');
        }
        sb.append("  ]\n}");
        return sb.toString();
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
