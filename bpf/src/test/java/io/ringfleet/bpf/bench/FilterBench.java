package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.filter.FilterGlobal;
import io.ringfleet.bpf.filter.FilterProgram;
import io.ringfleet.bpf.filter.FilterRule;
import io.ringfleet.bpf.filter.FilterRule.Action;
import io.ringfleet.bpf.filter.FilterRule.DnsQuery;
import io.ringfleet.bpf.filter.FilterRule.SourcePrefix;
import io.ringfleet.bpf.filter.Prefix;
import io.ringfleet.bpf.testing.Frames;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ns/packet of the XDP pre-filter (filter.bpf.c), same method as {@link DatapathBench} with plain repeat: the filter
 * runs behind bench_wrapper, and the wrapper around a trivial program of the same verdict is subtracted. The filter
 * is loaded empty, then with 10,000 source-prefix rules (distinct /24s) and 1,000 DNS names (the sizing).
 * Paths: no rule matched (TCP, and a DNS query for a name no rule names), a prefix drop, a DNS-name drop. The filter's
 * own counters (filter_global HANDED_ON / DROPPED) must grow by exactly the repetitions run, or the bench fails.
 *
 * <p>Usage: {@code FilterBench [--repeat N] [--runs R]}; run with {@code scripts/bench-datapath.sh --filter} (root).
 */
public final class FilterBench {
    private static final int PREFIX_RULES = 10_000;
    private static final int DNS_RULES = 1_000;
    private static final int XDP_DROP = 1;
    private static final int XDP_PASS = 2;
    private static final int XDP_TX = 3;
    private static final InetAddress RESOLVER = v4("203.0.113.53");
    private static final InetAddress VIP = v4("10.94.0.1");
    private static final int CFG_SPORT_OFF = 0;
    private static final int CFG_FRAME_LEN = 1;
    private static final int RESTORE = 64;
    private static final int WARMUP = 10_000;

    public static void main(String[] args) {
        int repeat = 100_000;
        int runs = 7;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length || !(args[i].equals("--repeat") || args[i].equals("--runs"))) {
                System.err.println("bench-filter: unknown argument " + args[i] + "; usage: [--repeat N] [--runs R]");
                System.exit(2);
            }
            int value = Integer.parseInt(args[i + 1]);
            if (args[i].equals("--repeat")) {
                repeat = value;
            } else {
                runs = value;
            }
        }
        System.out.println(new FilterBench().run(repeat, runs));
    }

    private record Path(String name, byte[] frame, int verdict, FilterGlobal counter) {}

    String run(int repeat, int runs) {
        // UDP with a payload: bench_wrapper restores 64 bytes, so frames are at least that long
        byte[] plain = Frames.udp(v4("10.250.0.1"), v4("192.0.2.1"), 40000, 443, new byte[32]);
        byte[] dropped = Frames.udp(v4("10.1.2.3"), v4("192.0.2.1"), 40000, 443, new byte[32]);
        byte[] query = dnsQuery(RESOLVER, "www.unlisted.example", 1);
        byte[] droppedQuery = dnsQuery(RESOLVER, "x.name-500.example", 1);
        List<String> lines = new ArrayList<>();
        List<String> chained;
        String loadBefore = loadAverage();
        try (BpfObject wrapperObject = BpfObject.open(Bpf.resourceFile("/native/bench_wrapper.bpf.o"))
                        .load();
                FilterProgram filter = FilterProgram.standalone(Map.of())) {
            BpfProgram wrapper = wrapperObject.program("bench_wrapper");
            Bench bench = new Bench(wrapperObject, wrapper, filter, repeat, runs);
            lines.add(bench.time(new Path("empty_pass", plain, XDP_PASS, FilterGlobal.HANDED_ON)));
            long start = System.nanoTime();
            filter.install(rules());
            double installMs = (System.nanoTime() - start) / 1e6;
            lines.add(bench.time(new Path("loaded_pass_no_match", plain, XDP_PASS, FilterGlobal.HANDED_ON)));
            lines.add(bench.time(new Path("loaded_dns_query_no_match", query, XDP_PASS, FilterGlobal.HANDED_ON)));
            lines.add(bench.time(new Path("loaded_prefix_drop", dropped, XDP_DROP, FilterGlobal.DROPPED)));
            lines.add(bench.time(new Path("loaded_dns_name_drop", droppedQuery, XDP_DROP, FilterGlobal.DROPPED)));
            chained = chained(wrapperObject, repeat, runs);
            return "{\n  \"program\": \"filter.bpf.o\",\n  \"kernel\": \"" + System.getProperty("os.version")
                    + "\",\n  \"rules\": {\"source_prefixes\": " + PREFIX_RULES + ", \"dns_names\": " + DNS_RULES
                    + ", \"install_ms\": " + String.format(Locale.ROOT, "%.0f", installMs) + "},\n  \"repeat\": "
                    + repeat + ",\n  \"runs\": " + runs
                    + ",\n  \"unit\": \"ns/packet, median of runs, plain repeat through bench_wrapper; net = gross - "
                    + "baseline\",\n  \"load_average\": {\"before\": \"" + loadBefore + "\", \"after\": \""
                    + loadAverage() + "\"},\n  \"scenarios\": [\n    " + String.join(",\n    ", lines)
                    + "\n  ],\n  \"chained_before_balancer\": [\n    " + String.join(",\n    ", chained) + "\n  ]\n}";
        }
    }

    /**
     * The balancer behind xdp_root with and without the loaded filter in front (FilterChainBench): legitimate TCP
     * (connection-table hit), a legitimate DNS query to a UDP/53 VIP (the filter reads its name), and a flood frame.
     */
    private static List<String> chained(BpfObject wrapperObject, int repeat, int runs) {
        InetAddress client = v4("198.51.100.9");
        try (FilterChainBench chain = new FilterChainBench(wrapperObject, rules(), repeat, runs)) {
            chain.provision(VIP, 80, v4("10.95.0.5"));
            return List.of(
                    chain.time(new FilterChainBench.ChainPath(
                            "v4_tcp_lru_hit_ipip",
                            Packets.frame(client, VIP, Packets.TCP, 40000, 80, Packets.ACK, 64),
                            XDP_TX,
                            XDP_TX)),
                    chain.time(new FilterChainBench.ChainPath(
                            "v4_dns_query_no_match_ipip", dnsQuery(VIP, "www.unlisted.example", 1), XDP_TX, XDP_TX)),
                    chain.time(new FilterChainBench.ChainPath(
                            "v4_tcp_flood_prefix_drop",
                            Packets.frame(v4("10.1.2.3"), VIP, Packets.TCP, 40000, 80, Packets.ACK, 64),
                            XDP_DROP,
                            XDP_TX)));
        }
    }

    /** /proc/loadavg's three figures, or "unknown". */
    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** 10,000 drop rules on 10.a.b.0/24 and 1,000 on *.name-i.example. */
    private static List<FilterRule> rules() {
        List<FilterRule> rules = new ArrayList<>();
        for (int i = 0; i < PREFIX_RULES; i++) {
            Prefix p = Prefix.parse("10." + (1 + i / 256) + "." + (i % 256) + ".0/24");
            rules.add(
                    FilterRule.builder(i + 1, new SourcePrefix(p), Action.DROP).build());
        }
        for (int i = 0; i < DNS_RULES; i++) {
            rules.add(FilterRule.builder(PREFIX_RULES + 1 + i, new DnsQuery("*.name-" + i + ".example", 0), Action.DROP)
                    .build());
        }
        return rules;
    }

    /** Times paths through the wrapper and checks the filter's counters. */
    private record Bench(BpfObject wrapperObject, BpfProgram wrapper, FilterProgram filter, int repeat, int runs) {
        String time(Path p) {
            BpfMap frameMap = wrapperObject.map("bench_frame");
            BpfMap cfg = wrapperObject.map("bench_cfg");
            BpfMap target = wrapperObject.map("bench_target");
            frameMap.update(BpfMap.u32(0), Arrays.copyOf(p.frame(), RESTORE));
            cfg.update(BpfMap.u32(CFG_SPORT_OFF), BpfMap.u32(0));
            cfg.update(BpfMap.u32(CFG_FRAME_LEN), BpfMap.u32(p.frame().length));
            target.setProgram(0, filter.program());
            long before = filter.global(p.counter()).packets();
            double gross = timed(p);
            long moved = filter.global(p.counter()).packets() - before;
            long expected = (long) runs * repeat + WARMUP;
            if (moved != expected) {
                throw new IllegalStateException(p.name() + ": " + p.counter() + " grew by " + moved + ", expected "
                        + expected + ": the repetitions did not all take the measured path");
            }
            target.setProgram(0, wrapperObject.program(p.verdict() == XDP_DROP ? "bench_drop" : "bench_pass"));
            double baseline = timed(p);
            return String.format(
                    Locale.ROOT,
                    "{\"path\": \"%s\", \"net_ns\": %.1f, \"gross_ns\": %.1f, \"baseline_ns\": %.1f, \"%s\": %d}",
                    p.name(),
                    gross - baseline,
                    gross,
                    baseline,
                    p.counter().name().toLowerCase(Locale.ROOT),
                    moved);
        }

        private double timed(Path p) {
            TestRun.Result warm = wrapper.testRun(TestRun.of(p.frame()).repeat(WARMUP));
            if (warm.retval() != p.verdict()) {
                throw new IllegalStateException(p.name() + ": verdict " + warm.retval() + ", expected " + p.verdict());
            }
            double[] ns = new double[runs];
            for (int i = 0; i < runs; i++) {
                ns[i] = wrapper.testRun(TestRun.of(p.frame()).repeat(repeat)).durationNs();
            }
            Arrays.sort(ns);
            return ns[runs / 2];
        }
    }

    private static byte[] dnsQuery(InetAddress server, String name, int qtype) {
        ByteArrayOutputStream dns = new ByteArrayOutputStream();
        dns.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            dns.write(label.length());
            dns.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        dns.write(0);
        dns.writeBytes(new byte[] {0, (byte) qtype, 0, 1});
        return Frames.udp(v4("198.51.100.9"), server, 40000, 53, dns.toByteArray());
    }

    private static java.net.Inet4Address v4(String literal) {
        try {
            return (java.net.Inet4Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
