package io.ringfleet.agent.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.ringfleet.api.Counter;
import io.ringfleet.api.GetStatsRequest;
import io.ringfleet.api.GetStatsResponse;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealStats;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.VipStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lbctl stats}: the target node's datapath counters. Once, as totals; or per second, sampled every
 * interval (Katran's {@code -s} and {@code -s -lru}).
 */
@Command(
        name = "stats",
        description = {
            "Datapath counters of the target node (summed over its CPUs).",
            "Without --rate/--lru/--icmp: totals per VIP and the global counters, once.",
            "--rate: packets and bytes per second per VIP; --lru: connection-table hits, misses and fallback per second;",
            "--icmp: ICMP too-big messages sent per second. These sample every --interval, --count times (0 = until stopped)."
        })
final class StatsCommand extends ApiCommand {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "PROTO",
            converter = Args.ProtocolConverter.class,
            description = "tcp or udp (with VIP).")
    Protocol protocol;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "VIP",
            converter = Args.EndpointConverter.class,
            description = "Only this VIP.")
    Args.Endpoint endpoint;

    @Option(names = "--reals", description = "Per-real counters too (totals only).")
    boolean reals;

    @Option(names = "--rate", description = "Per-VIP packets and bytes per second.")
    boolean rate;

    @Option(names = "--lru", description = "LRU hits, misses and fallback hits per second.")
    boolean lru;

    @Option(names = "--icmp", description = "ICMP too-big messages per second.")
    boolean icmp;

    @Option(
            names = "--interval",
            defaultValue = "1s",
            converter = Args.DurationConverter.class,
            description = "Sampling interval (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--count", defaultValue = "0", description = "Samples to print; 0 = until interrupted.")
    int count;

    @Override
    int run(ApiConnection api, Output out) throws Exception {
        Optional<VipKey> vip = Args.optionalVip(protocol, endpoint);
        if (interval.isZero() || interval.isNegative() || count < 0) {
            throw new LbctlException(ExitCodes.USAGE, "--interval must be positive and --count at least 0");
        }
        GetStatsRequest.Builder request = GetStatsRequest.newBuilder().setWithReals(reals);
        vip.ifPresent(request::setVip);
        if (!rate && !lru && !icmp) {
            totals(out, api.control().getStats(request.build()));
            return ExitCodes.OK;
        }
        GetStatsResponse previous = api.control().getStats(request.build());
        long previousAt = System.nanoTime();
        boolean header = true;
        for (int i = 0; count == 0 || i < count; i++) {
            Thread.sleep(interval.toMillis());
            GetStatsResponse now = api.control().getStats(request.build());
            long at = System.nanoTime();
            double seconds = (at - previousAt) / 1e9;
            if (lru) {
                printLru(out, previous, now, seconds, header);
            } else if (icmp) {
                printIcmp(out, previous, now, seconds, header);
            } else {
                printRates(out, previous, now, seconds, header);
            }
            header = false;
            previous = now;
            previousAt = at;
        }
        return ExitCodes.OK;
    }

    private static void totals(Output out, GetStatsResponse r) {
        if (out.json()) {
            out.json(r);
            return;
        }
        Output.Table vips = out.table("VIP", "NUM", "PACKETS", "BYTES");
        for (VipStats v : r.getVipsList()) {
            vips.row(Args.vipText(v.getVip()), v.getVipNum(), v.getPackets(), v.getBytes());
        }
        vips.print();
        if (r.getRealsCount() > 0) {
            out.line("");
            Output.Table t = out.table("REAL", "INDEX", "PACKETS", "BYTES");
            for (RealStats s : r.getRealsList()) {
                t.row(s.getAddress(), s.getRealIndex(), s.getPackets(), s.getBytes());
            }
            t.print();
        }
        out.line("");
        Output.Table g = out.table("COUNTER", "PACKETS", "BYTES");
        for (Counter c : r.getGlobalList()) {
            g.row(c.getName(), c.getPackets(), c.getBytes());
        }
        g.print();
    }

    private static Map<String, Counter> global(GetStatsResponse r) {
        Map<String, Counter> m = new HashMap<>();
        for (Counter c : r.getGlobalList()) {
            m.put(c.getName(), c);
        }
        return m;
    }

    private static double perSecond(long before, long after, double seconds) {
        return after < before ? 0 : (after - before) / seconds;
    }

    private static double packetsRate(Map<String, Counter> a, Map<String, Counter> b, String name, double seconds) {
        return perSecond(
                a.getOrDefault(name, Counter.getDefaultInstance()).getPackets(),
                b.getOrDefault(name, Counter.getDefaultInstance()).getPackets(),
                seconds);
    }

    private static void printLru(
            Output out, GetStatsResponse before, GetStatsResponse after, double seconds, boolean header) {
        Map<String, Counter> a = global(before);
        Map<String, Counter> b = global(after);
        double lookups = packetsRate(a, b, "lru_lookup", seconds);
        double hits = packetsRate(a, b, "lru_hit", seconds);
        double syn = packetsRate(a, b, "lru_miss_tcp_syn", seconds);
        double nonSyn = packetsRate(a, b, "lru_miss_tcp_other", seconds);
        double udp = packetsRate(a, b, "lru_miss_udp", seconds);
        double fallback = packetsRate(a, b, "fallback_hit", seconds);
        double hitPercent = lookups == 0 ? 0 : 100.0 * hits / lookups;
        if (out.json()) {
            out.json(sample(
                    after,
                    seconds,
                    Map.of(
                            "lookups_per_second",
                            lookups,
                            "hits_per_second",
                            hits,
                            "hit_percent",
                            hitPercent,
                            "tcp_syn_misses_per_second",
                            syn,
                            "tcp_non_syn_misses_per_second",
                            nonSyn,
                            "udp_misses_per_second",
                            udp,
                            "fallback_hits_per_second",
                            fallback)));
            return;
        }
        Output.Table t =
                out.table("LOOKUPS/S", "HITS/S", "HIT%", "SYN-MISS/S", "NON-SYN-MISS/S", "UDP-MISS/S", "FALLBACK/S");
        t.row(
                fmt(lookups),
                fmt(hits),
                String.format("%.1f", hitPercent),
                fmt(syn),
                fmt(nonSyn),
                fmt(udp),
                fmt(fallback));
        printRows(out, t, header);
    }

    private static void printIcmp(
            Output out, GetStatsResponse before, GetStatsResponse after, double seconds, boolean header) {
        Counter a = global(before).getOrDefault("icmp_too_big", Counter.getDefaultInstance());
        Counter b = global(after).getOrDefault("icmp_too_big", Counter.getDefaultInstance());
        double v4 = perSecond(a.getPackets(), b.getPackets(), seconds);
        double v6 = perSecond(a.getBytes(), b.getBytes(), seconds);
        if (out.json()) {
            out.json(
                    sample(after, seconds, Map.of("icmp_v4_too_big_per_second", v4, "icmp_v6_too_big_per_second", v6)));
            return;
        }
        Output.Table t = out.table("ICMPV4-TOO-BIG/S", "ICMPV6-TOO-BIG/S");
        t.row(fmt(v4), fmt(v6));
        printRows(out, t, header);
    }

    private static void printRates(
            Output out, GetStatsResponse before, GetStatsResponse after, double seconds, boolean header) {
        Map<Integer, VipStats> a = new HashMap<>();
        for (VipStats v : before.getVipsList()) {
            a.put(v.getVipNum(), v);
        }
        Output.Table t = out.table("VIP", "PACKETS/S", "BYTES/S");
        for (VipStats v : after.getVipsList()) {
            VipStats was = a.getOrDefault(v.getVipNum(), VipStats.getDefaultInstance());
            double pps = perSecond(was.getPackets(), v.getPackets(), seconds);
            double bps = perSecond(was.getBytes(), v.getBytes(), seconds);
            if (out.json()) {
                out.json(sample(
                        after,
                        seconds,
                        Map.of(
                                "vip",
                                Args.vipText(v.getVip()),
                                "vip_num",
                                v.getVipNum(),
                                "packets_per_second",
                                pps,
                                "bytes_per_second",
                                bps)));
            } else {
                t.row(Args.vipText(v.getVip()), fmt(pps), fmt(bps));
            }
        }
        if (!out.json()) {
            t.print();
        }
    }

    private static void printRows(Output out, Output.Table t, boolean header) {
        t.print(header);
    }

    private static String fmt(double v) {
        return String.format("%.0f", v);
    }

    /** One sample as JSON: the node, the interval in seconds, and these fields. */
    private static Struct sample(GetStatsResponse after, double seconds, Map<String, Object> fields) {
        Map<String, Object> all = new TreeMap<>(fields);
        all.put("node_id", after.getNodeId());
        all.put("interval_seconds", seconds);
        return struct(all);
    }

    private static Struct struct(Map<String, Object> fields) {
        Struct.Builder b = Struct.newBuilder();
        new TreeMap<>(fields)
                .forEach((k, v) -> b.putFields(
                        k,
                        v instanceof Number
                                ? Value.newBuilder()
                                        .setNumberValue(((Number) v).doubleValue())
                                        .build()
                                : Value.newBuilder()
                                        .setStringValue(String.valueOf(v))
                                        .build()));
        return b.build();
    }
}
