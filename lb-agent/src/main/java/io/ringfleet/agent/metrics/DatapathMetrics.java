package io.ringfleet.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.ringfleet.agent.datapath.DatapathStats;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.abi.HcCounter;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.RealsImage;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipsImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.function.ToDoubleFunction;

/**
 * The datapath's BPF counters as Prometheus counters, read at scrape time (per-CPU cells summed; the maps are
 * read at most once per {@code maxAge} however many series a scrape asks for):
 *
 * <ul>
 *   <li>{@code ringfleet_vip_packets_total} / {@code ringfleet_vip_bytes_total} {vip, port, proto}: every
 *       packet the balancer matched to the VIP;
 *   <li>{@code ringfleet_real_packets_total} / {@code ringfleet_real_bytes_total} {real}: every packet
 *       forwarded to the real;
 *   <li>{@code ringfleet_lru_lookups_total}, {@code ringfleet_lru_hits_total} (per-CPU table),
 *       {@code ringfleet_lru_misses_total} {kind = tcp_syn | tcp_other | udp}, {@code ringfleet_fallback_hits_total};
 *   <li>{@code ringfleet_icmp_total} {type = echo | too_big, family = ipv4 | ipv6} and
 *       {@code ringfleet_icmp_too_big_forwarded_total};
 *   <li>{@code ringfleet_xdp_packets_total} / {@code ringfleet_xdp_bytes_total} {action = pass | drop | tx};
 *   <li>{@code ringfleet_datapath_events_total} {event}: the other global counters (ch_drop, encap_fail,
 *       quic_routed, quic_fallback, new_conn_limited, udp_flow_migrated, oversize);
 *   <li>{@code ringfleet_healthcheck_packets_total} {result}: the tc health-check forwarder's counters.
 * </ul>
 *
 * The VIP and real series follow the programmed image ({@link #follow}): a VIP's series appear when it is
 * programmed and go when it is removed (a vip_num or real index reused by another VIP or address starts a new
 * series from the kernel's reset counters).
 */
public final class DatapathMetrics {
    private final MeterRegistry registry;
    private final CounterCache cache;
    private final Map<Integer, List<Meter>> vipMeters = new HashMap<>();
    private final Map<Integer, String> vipLabels = new HashMap<>();
    private final Map<Integer, List<Meter>> realMeters = new HashMap<>();
    private final Map<Integer, String> realLabels = new HashMap<>();
    private VipsImage vipsSeen;
    private RealsImage realsSeen;

    public DatapathMetrics(MeterRegistry registry, DatapathStats stats, Duration maxAge) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.cache = new CounterCache(stats, maxAge);
        registerGlobals();
    }

    private void registerGlobals() {
        global(
                "ringfleet.lru.lookups",
                Tags.empty(),
                GlobalCounter.LRU_LOOKUP,
                Counter::packets,
                "connection-table lookups (per-CPU table hits + fallback hits + non-SYN misses)");
        global(
                "ringfleet.lru.hits",
                Tags.empty(),
                GlobalCounter.LRU_HIT,
                Counter::packets,
                "flows found in the per-CPU connection table");
        global(
                "ringfleet.lru.misses",
                Tags.of("kind", "tcp_syn"),
                GlobalCounter.LRU_MISS_TCP_SYN,
                Counter::packets,
                "flows not found in the connection table (SYNs are not looked up)");
        global(
                "ringfleet.lru.misses",
                Tags.of("kind", "tcp_other"),
                GlobalCounter.LRU_MISS_TCP_OTHER,
                Counter::packets,
                "flows not found in the connection table (SYNs are not looked up)");
        global(
                "ringfleet.lru.misses",
                Tags.of("kind", "udp"),
                GlobalCounter.LRU_MISS_UDP,
                Counter::packets,
                "flows not found in the connection table (SYNs are not looked up)");
        global(
                "ringfleet.fallback.hits",
                Tags.empty(),
                GlobalCounter.FALLBACK_HIT,
                Counter::packets,
                "flows found in the fallback connection table");
        for (GlobalCounter c : new GlobalCounter[] {GlobalCounter.ICMP_ECHO, GlobalCounter.ICMP_TOO_BIG}) {
            String type = c == GlobalCounter.ICMP_ECHO ? "echo" : "too_big";
            // the balancer counts IPv4 in the packets field and IPv6 in the bytes field of these two
            global(
                    "ringfleet.icmp",
                    Tags.of("type", type, "family", "ipv4"),
                    c,
                    Counter::packets,
                    "ICMP messages to a VIP handled by the balancer");
            global(
                    "ringfleet.icmp",
                    Tags.of("type", type, "family", "ipv6"),
                    c,
                    Counter::bytes,
                    "ICMP messages to a VIP handled by the balancer");
        }
        global(
                "ringfleet.icmp.too.big.forwarded",
                Tags.empty(),
                GlobalCounter.ICMP_PTB_FORWARD,
                Counter::packets,
                "ICMP packet-too-big messages forwarded to the real of the flow");
        for (GlobalCounter c :
                new GlobalCounter[] {GlobalCounter.XDP_PASS, GlobalCounter.XDP_DROP, GlobalCounter.XDP_TX}) {
            String action = c.name().substring(4).toLowerCase(Locale.ROOT);
            global(
                    "ringfleet.xdp.packets",
                    Tags.of("action", action),
                    c,
                    Counter::packets,
                    "frames by XDP verdict (XDP_ABORTED counts as drop)");
            global(
                    "ringfleet.xdp.bytes",
                    Tags.of("action", action),
                    c,
                    Counter::bytes,
                    "bytes of frames by XDP verdict, as received");
        }
        for (GlobalCounter c : new GlobalCounter[] {
            GlobalCounter.CH_DROP,
            GlobalCounter.ENCAP_FAIL,
            GlobalCounter.QUIC_ROUTED,
            GlobalCounter.QUIC_FALLBACK,
            GlobalCounter.NEW_CONN_LIMITED,
            GlobalCounter.UDP_FLOW_MIGRATED,
            GlobalCounter.OVERSIZE
        }) {
            global(
                    "ringfleet.datapath.events",
                    Tags.of("event", c.name().toLowerCase(Locale.ROOT)),
                    c,
                    Counter::packets,
                    "other balancer counters (bpf/README.md, Counters)");
        }
        for (HcCounter c : HcCounter.values()) {
            FunctionCounter.builder(
                            "ringfleet.healthcheck.packets",
                            cache,
                            k -> k.healthCheck(c).packets())
                    .tags(Tags.of("result", c.name().toLowerCase(Locale.ROOT)))
                    .description("health-check packets seen by the tc forwarder")
                    .register(registry);
        }
    }

    private void global(
            String name, Tags tags, GlobalCounter which, ToDoubleFunction<Counter> field, String description) {
        FunctionCounter.builder(name, cache, k -> field.applyAsDouble(k.global(which)))
                .tags(tags)
                .description(description)
                .register(registry);
    }

    /**
     * Makes the VIP and real series those of this programmed image: adds the new ones, removes the gone ones.
     * Cheap when the image's VIPs and reals did not change. Call from one thread (the programming pipeline's).
     */
    public synchronized void follow(FleetImage image) {
        if (image.vips() != vipsSeen) {
            Map<Integer, String> now = new HashMap<>();
            for (VipImage v : image.vips().all()) {
                now.put(
                        v.vipNum(),
                        v.key().address() + "|" + v.key().port() + "|" + v.key().protocol());
            }
            for (Integer num : new ArrayList<>(vipLabels.keySet())) {
                if (!vipLabels.get(num).equals(now.get(num))) {
                    vipMeters.remove(num).forEach(registry::remove);
                    vipLabels.remove(num);
                }
            }
            for (VipImage v : image.vips().all()) {
                int num = v.vipNum();
                if (!vipLabels.containsKey(num)) {
                    Tags tags = Tags.of(
                            "vip",
                            v.key().address().toString(),
                            "port",
                            Integer.toString(v.key().port()),
                            "proto",
                            v.key().protocol().name().toLowerCase(Locale.ROOT));
                    List<Meter> meters = List.of(
                            FunctionCounter.builder(
                                            "ringfleet.vip.packets",
                                            cache,
                                            k -> k.vip(num).packets())
                                    .tags(tags)
                                    .description("packets the balancer matched to the VIP")
                                    .register(registry),
                            FunctionCounter.builder(
                                            "ringfleet.vip.bytes",
                                            cache,
                                            k -> k.vip(num).bytes())
                                    .tags(tags)
                                    .description("bytes the balancer matched to the VIP")
                                    .register(registry));
                    vipMeters.put(num, meters);
                    vipLabels.put(num, now.get(num));
                }
            }
            vipsSeen = image.vips();
        }
        if (image.reals() != realsSeen) {
            Map<Integer, String> now = new HashMap<>();
            image.reals().all().forEach(r -> now.put(r.index(), r.address().toString()));
            for (Integer index : new ArrayList<>(realLabels.keySet())) {
                if (!realLabels.get(index).equals(now.get(index))) {
                    realMeters.remove(index).forEach(registry::remove);
                    realLabels.remove(index);
                }
            }
            for (Map.Entry<Integer, String> e : now.entrySet()) {
                int index = e.getKey();
                if (!realLabels.containsKey(index)) {
                    Tags tags = Tags.of("real", e.getValue());
                    List<Meter> meters = List.of(
                            FunctionCounter.builder(
                                            "ringfleet.real.packets",
                                            cache,
                                            k -> k.real(index).packets())
                                    .tags(tags)
                                    .description("packets forwarded to the real")
                                    .register(registry),
                            FunctionCounter.builder(
                                            "ringfleet.real.bytes",
                                            cache,
                                            k -> k.real(index).bytes())
                                    .tags(tags)
                                    .description("bytes forwarded to the real")
                                    .register(registry));
                    realMeters.put(index, meters);
                    realLabels.put(index, e.getValue());
                }
            }
            realsSeen = image.reals();
        }
    }

    /** One reading of the counter maps, reused for {@code maxAge}. */
    static final class CounterCache {
        private final DatapathStats stats;
        private final long maxAgeNanos;
        private long readAt;
        private SortedMap<Integer, Counter> vips = Collections.emptySortedMap();
        private SortedMap<Integer, Counter> reals = Collections.emptySortedMap();
        private Map<GlobalCounter, Counter> global = Map.of();
        private Map<HcCounter, Counter> healthChecks = Map.of();
        private boolean read;

        CounterCache(DatapathStats stats, Duration maxAge) {
            this.stats = Objects.requireNonNull(stats, "stats");
            this.maxAgeNanos = maxAge.toNanos();
        }

        private synchronized void fresh() {
            long now = System.nanoTime();
            if (read && now - readAt < maxAgeNanos) {
                return;
            }
            readAt = now;
            read = true;
            try {
                vips = stats.vips();
                reals = stats.reals();
                global = stats.global();
                healthChecks = stats.healthChecks();
            } catch (RuntimeException e) {
                // the datapath is closing, or a map read failed: keep the last values (counters never go back)
                org.slf4j.LoggerFactory.getLogger(DatapathMetrics.class)
                        .warn("reading the datapath counters failed: {}", e.toString());
            }
        }

        synchronized Counter vip(int vipNum) {
            fresh();
            return vips.getOrDefault(vipNum, Counter.ZERO);
        }

        synchronized Counter real(int index) {
            fresh();
            return reals.getOrDefault(index, Counter.ZERO);
        }

        synchronized Counter global(GlobalCounter which) {
            fresh();
            return global.getOrDefault(which, Counter.ZERO);
        }

        synchronized Counter healthCheck(HcCounter which) {
            fresh();
            return healthChecks.getOrDefault(which, Counter.ZERO);
        }
    }
}
