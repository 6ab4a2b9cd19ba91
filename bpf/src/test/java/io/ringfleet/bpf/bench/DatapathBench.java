package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.LiveFrames;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.GlobalCounter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * ns/packet of the XDP balancer on its main paths, printed as JSON.
 *
 * <p>Method: every path runs through bench_wrapper (bench_wrapper.bpf.c), which on every
 * repetition moves the packet start back to where the frame began, restores the bytes the
 * balancer rewrote, optionally varies the source port (a new flow per repetition), then
 * tail-calls the balancer. The same wrapper tail-calling a trivial program with the same verdict
 * is the baseline, and net = gross - baseline is the balancer's own cost. Forwarded paths use
 * BPF_PROG_TEST_RUN live frames on a veth in a namespace of our own when the kernel allows them
 * (an XDP drop program on the peer consumes the transmitted frames), plain {@code repeat}
 * otherwise; the non-VIP path always uses plain repeat. The balancer's own counters must show that
 * every repetition took the path measured, and the frame after the last repetition must equal
 * the balancer's output for that frame run on its own; otherwise the bench fails.
 *
 * <p>Usage: {@code DatapathBench [--balancer PATH] [--repeat N] [--runs R] [--method auto|plain|live]
 * [--second-chance]}
 * (root; the default balancer is the one shipped in the jar). Test source set: run it with
 * {@code scripts/bench-datapath.sh}, which puts bpf's test classes (and bench_wrapper.bpf.o) on the classpath.
 */
public final class DatapathBench {
    private static final InetAddress CLIENT4 = addr("10.90.0.10");
    private static final InetAddress CLIENT6 = addr("fd00:90::10");
    private static final InetAddress VIP4 = addr("10.91.0.1");
    private static final InetAddress QUIC_VIP4 = addr("10.91.0.2");
    private static final InetAddress VIP6 = addr("fd00:91::1");
    private static final InetAddress OTHER4 = addr("10.91.0.99");
    /** --second-chance: an LRU_BYPASS VIP whose slot changed since the previous ring (on balancer_sc). */
    private static final InetAddress SC_VIP4 = addr("10.91.0.3");

    private static final InetAddress REAL4 = addr("10.92.0.1");
    private static final InetAddress REAL6 = addr("fd00:92::1");
    private static final InetAddress QUIC_REAL4 = addr("10.92.0.3");
    /** RF_VIP_F_QUIC (rf_abi.h). */
    private static final int VIP_F_QUIC = 1 << 2;
    /** RF_VIP_F_LRU_BYPASS (rf_abi.h). */
    private static final int VIP_F_LRU_BYPASS = 1 << 1;
    /** The server id the QUIC frames carry (connection-id v1) and the real it names. */
    private static final int QUIC_SERVER_ID = 1234;

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-datapath: " + e.getMessage());
            System.err.println(
                    "usage: DatapathBench [--balancer PATH] [--repeat N] [--runs R] [--method auto|plain|live]"
                            + " [--second-chance]");
            System.exit(2);
            return;
        }
        System.out.println(new DatapathBench().run(options));
    }

    /** Command-line options. */
    record Options(Path balancer, int repeat, int runs, String method, boolean secondChance) {
        static Options parse(String[] args) {
            Path balancer = null;
            int repeat = 100_000;
            int runs = 7;
            String method = "auto";
            boolean secondChance = false;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--balancer" -> balancer = Path.of(required(args[i], value));
                    case "--repeat" -> repeat = Integer.parseInt(required(args[i], value));
                    case "--runs" -> runs = Integer.parseInt(required(args[i], value));
                    case "--method" -> method = required(args[i], value);
                    case "--second-chance" -> {
                        secondChance = true;
                        continue;
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
                i++;
            }
            if (!List.of("auto", "plain", "live").contains(method)) {
                throw new IllegalArgumentException("--method must be auto, plain or live, got " + method);
            }
            if (repeat < 1 || repeat > BenchHarness.MAX_NEW_FLOWS_PER_CALL || runs < 1) {
                throw new IllegalArgumentException(
                        "--repeat must be 1.." + BenchHarness.MAX_NEW_FLOWS_PER_CALL + " and --runs at least 1");
            }
            balancer = balancer == null ? Bpf.shippedObject("balancer") : balancer;
            if (!Files.isRegularFile(balancer)) {
                throw new IllegalArgumentException("no balancer object at " + balancer);
            }
            return new Options(balancer, repeat, runs, method, secondChance);
        }

        private static String required(String flag, String value) {
            if (value == null) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return value;
        }
    }

    /** Runs every path and returns the JSON report. */
    String run(Options options) {
        List<BenchHarness.Result> results = new ArrayList<>();
        String liveFrames;
        try (NetNs lb = NetNs.create("rfbench");
                NetNs peer = NetNs.create("rfbpeer");
                BpfObject wrapperObject = BpfObject.open(benchWrapper()).load();
                BalancerRig rig = new BalancerRig(options.balancer(), 4, 65536)) {
            NetNs.vethPair(lb, "bench0", peer, "bench1");
            BpfProgram drop = wrapperObject.program("bench_drop");
            peer.run(() -> Xdp.attach(Xdp.ifindex("bench1"), drop, Xdp.Mode.DRIVER));
            provision(rig);

            int ifindex = lb.ifindex("bench0");
            Optional<String> refused = lb.call(() ->
                    LiveFrames.refusal(drop, ifindex, Packets.frame(CLIENT4, OTHER4, Packets.UDP, 40000, 53, 0, 64)));
            boolean live = switch (options.method()) {
                case "plain" -> false;
                case "live" -> refused.isEmpty() || fail(refused.get());
                default -> refused.isEmpty();
            };
            liveFrames = refused.orElse("allowed");

            BenchHarness h = new BenchHarness(lb, ifindex, wrapperObject, rig, options.repeat(), options.runs());
            if (options.secondChance()) {
                return secondChance(options, lb, ifindex, wrapperObject, rig, live, liveFrames);
            }
            byte[] hit4 = Packets.frame(CLIENT4, VIP4, Packets.TCP, 40000, 80, Packets.ACK, 64);
            byte[] syn4 = Packets.frame(CLIENT4, VIP4, Packets.TCP, 40000, 80, Packets.SYN, 64);
            byte[] hit6 = Packets.frame(CLIENT6, VIP6, Packets.TCP, 40000, 80, Packets.ACK, 64);
            byte[] other = Packets.frame(CLIENT4, OTHER4, Packets.UDP, 40000, 53, 0, 64);
            byte[] quic4 = Packets.quicShortHeader(CLIENT4, QUIC_VIP4, 40000, 443, QUIC_SERVER_ID, 64);

            results.add(
                    h.measure("v4_tcp_lru_hit_ipip", hit4, false, live, GlobalCounter.XDP_TX, GlobalCounter.LRU_HIT));
            results.add(h.measure(
                    "v4_tcp_syn_new_flow_ipip",
                    syn4,
                    true,
                    live,
                    GlobalCounter.XDP_TX,
                    GlobalCounter.LRU_MISS_TCP_SYN));
            results.add(h.measure("v4_non_vip_pass", other, false, false, GlobalCounter.XDP_PASS, null));
            results.add(
                    h.measure("v6_tcp_lru_hit_ip6ip6", hit6, false, live, GlobalCounter.XDP_TX, GlobalCounter.LRU_HIT));
            results.add(h.measure(
                    "v4_quic_server_id_ipip", quic4, false, live, GlobalCounter.XDP_TX, GlobalCounter.QUIC_ROUTED));
        }
        return json(options, liveFrames, results);
    }

    /**
     * --second-chance: the base build (--balancer) and balancer_sc alternately on the paths second chance must not
     * slow down (hit, SYN, non-VIP), then the cost it adds: a non-SYN segment on an LRU_BYPASS VIP (no table, so
     * every repetition goes through the ring) forwarded plainly by the base build, and on balancer_sc with the slot
     * changed since the previous ring (a second-chance frame). Ratios sc/base and the added ns are in "comparisons".
     */
    private String secondChance(
            Options options,
            NetNs lb,
            int ifindex,
            BpfObject wrapperObject,
            BalancerRig baseRig,
            boolean live,
            String liveFrames) {
        List<BenchHarness.Result> results = new ArrayList<>();
        List<String> comparisons = new ArrayList<>();
        try (BalancerRig scRig = new BalancerRig(Bpf.shippedObject("balancer_sc"), 4, 65536)) {
            provision(scRig);
            baseRig.addVip(SC_VIP4, 80, Packets.TCP, 3, VIP_F_LRU_BYPASS, 1);
            scRig.addVip(SC_VIP4, 80, Packets.TCP, 3, VIP_F_LRU_BYPASS, 1);
            scRig.setPrevRing(3, 3, REAL4, REAL6); // the slot named real 3 before: a second chance
            BenchHarness base = new BenchHarness(lb, ifindex, wrapperObject, baseRig, options.repeat(), options.runs());
            BenchHarness sc = new BenchHarness(lb, ifindex, wrapperObject, scRig, options.repeat(), options.runs());
            byte[] hit4 = Packets.frame(CLIENT4, VIP4, Packets.TCP, 40000, 80, Packets.ACK, 64);
            byte[] syn4 = Packets.frame(CLIENT4, VIP4, Packets.TCP, 40000, 80, Packets.SYN, 64);
            byte[] other = Packets.frame(CLIENT4, OTHER4, Packets.UDP, 40000, 53, 0, 64);
            byte[] changed = Packets.frame(CLIENT4, SC_VIP4, Packets.TCP, 40000, 80, Packets.ACK, 64);
            GlobalCounter tx = GlobalCounter.XDP_TX;
            compare(
                    results,
                    comparisons,
                    "v4_tcp_lru_hit_ipip",
                    base,
                    sc,
                    b -> b.measure("v4_tcp_lru_hit_ipip", hit4, false, live, tx, GlobalCounter.LRU_HIT));
            compare(
                    results,
                    comparisons,
                    "v4_tcp_syn_new_flow_ipip",
                    base,
                    sc,
                    b -> b.measure("v4_tcp_syn_new_flow_ipip", syn4, true, live, tx, GlobalCounter.LRU_MISS_TCP_SYN));
            compare(
                    results,
                    comparisons,
                    "v4_non_vip_pass",
                    base,
                    sc,
                    b -> b.measure("v4_non_vip_pass", other, false, false, GlobalCounter.XDP_PASS, null));
            BenchHarness.Result plain = base.measure("v4_tcp_bypass_ring_ipip", changed, false, live, tx, null);
            BenchHarness.Result second =
                    sc.measure("v4_tcp_second_chance_gue", changed, false, live, tx, GlobalCounter.SECOND_CHANCE);
            results.add(plain.named("v4_tcp_bypass_ring_ipip@base"));
            results.add(second.named("v4_tcp_second_chance_gue@balancer_sc"));
            comparisons.add(comparison("second_chance_vs_plain_ring", plain, second));
        }
        return json(options, liveFrames, results)
                .replaceFirst(
                        "\n}$", ",\n  \"comparisons\": [\n    " + String.join(",\n    ", comparisons) + "\n  ]\n}");
    }

    /** Measures a path on the base build, balancer_sc, the base build again; keeps the base median of the two. */
    private static void compare(
            List<BenchHarness.Result> results,
            List<String> comparisons,
            String name,
            BenchHarness base,
            BenchHarness sc,
            java.util.function.Function<BenchHarness, BenchHarness.Result> path) {
        BenchHarness.Result b1 = path.apply(base);
        BenchHarness.Result s = path.apply(sc);
        BenchHarness.Result b2 = path.apply(base);
        BenchHarness.Result b = b1.netNs() <= b2.netNs() ? b1 : b2;
        results.add(b.named(name + "@base"));
        results.add(s.named(name + "@balancer_sc"));
        comparisons.add(comparison(name, b, s));
    }

    private static String comparison(String name, BenchHarness.Result base, BenchHarness.Result sc) {
        return "{\"path\": \"" + name + "\", \"base_net_ns\": " + format(base.netNs())
                + ", \"sc_net_ns\": " + format(sc.netNs()) + ", \"added_ns\": " + format(sc.netNs() - base.netNs())
                + ", \"ratio\": " + String.format(Locale.ROOT, "%.3f", sc.netNs() / base.netNs()) + "}";
    }

    private static void provision(BalancerRig rig) {
        rig.setReal(1, REAL4);
        rig.setReal(2, REAL6);
        rig.setReal(3, QUIC_REAL4);
        rig.addVip(VIP4, 80, Packets.TCP, 0, 0, 1);
        rig.addVip(VIP6, 80, Packets.TCP, 1, 0, 2);
        // the QUIC VIP's ring points at real 1: a packet reaching real 3 was routed by its server id
        rig.addVip(QUIC_VIP4, 443, Packets.UDP, 2, VIP_F_QUIC, 1);
        rig.setQuicServerId(QUIC_SERVER_ID, 3);
        rig.setGatewayMac(new byte[] {0x02, 0x52, 0x46, 0, 0, 0x09});
    }

    /**
     * bench_wrapper.bpf.o: a test-only object (src/test/c, built into target/test-classes/native), not shipped
     * in the bpf jar, so it is found on the bench's classpath rather than among the shipped objects.
     */
    private static Path benchWrapper() {
        return Bpf.resourceFile("/native/bench_wrapper.bpf.o");
    }

    private static boolean fail(String reason) {
        throw new IllegalStateException("--method live: " + reason);
    }

    private static String json(Options options, String liveFrames, List<BenchHarness.Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n");
        sb.append("  \"kernel\": \"").append(System.getProperty("os.version")).append("\",\n");
        sb.append("  \"possible_cpus\": ").append(Bpf.numPossibleCpus()).append(",\n");
        sb.append("  \"balancer\": \"").append(options.balancer().getFileName()).append("\",\n");
        sb.append("  \"live_frames\": \"").append(liveFrames).append("\",\n");
        sb.append("  \"repeat\": ").append(options.repeat()).append(",\n");
        sb.append("  \"runs\": ").append(options.runs()).append(",\n");
        sb.append("  \"unit\": \"ns/packet, median of runs; net = gross - baseline (the wrapper around a trivial "
                + "program of the same verdict)\",\n");
        sb.append("  \"scenarios\": [\n");
        for (int i = 0; i < results.size(); i++) {
            sb.append("    ")
                    .append(results.get(i).json())
                    .append(i + 1 < results.size() ? "," : "")
                    .append('\n');
        }
        sb.append("  ]\n}");
        return sb.toString();
    }

    static String format(double ns) {
        return String.format(Locale.ROOT, "%.1f", ns);
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
