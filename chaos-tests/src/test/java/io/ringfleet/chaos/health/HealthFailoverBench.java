package io.ringfleet.chaos.health;

import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.health.FleetRingWatch.Sample;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.EchoServer;
import io.ringfleet.chaos.netns.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;

/**
 * Failure → every node's rings exclude the real (programmed in every LB's kernel), with real agent processes in
 * namespaces (3 LBs, 3 backends): N times, one backend's server is closed and the time until every LB's kernel ring
 * of the checked VIP holds none of its slots is taken (kernel read back by {@link FleetRingWatch}: the figure
 * includes up to one sampling period); then the server is restarted and the test waits for it to be back. The
 * failed backend rotates over the three; damping is set off (flap limit 1000: it is not what is measured). Prints
 * one JSON line. Arguments: {@code --failures N (20) --interval-ms MS (2000) --timeout-ms MS (1000) --rise R (2)
 * --fall F (3)}. Root; run it under the kernel lock ({@code scripts/bench-health-failover.sh}).
 */
public final class HealthFailoverBench {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private HealthFailoverBench() {}

    public static void main(String[] args) {
        int failures = arg(args, "--failures", 20);
        CheckTiming timing = new CheckTiming(
                arg(args, "--interval-ms", 2000),
                arg(args, "--timeout-ms", 1000),
                arg(args, "--rise", 2),
                arg(args, "--fall", 3));
        List<Long> millis = new ArrayList<>();
        try (Topology topology = Topology.builder().lbs(3).backends(3).build()) {
            LbAgentFleet fleet = LbAgentFleet.start(topology, 4, 64, s -> {});
            HealthLbctl lbctl = new HealthLbctl(topology, fleet, s -> {});
            lbctl.addVipWithMarkedReals(topology.lb(2));
            lbctl.settings(topology.lb(2), "--health-flap-limit", "1000");
            lbctl.setCheck(topology.lb(2), timing);
            FleetRingWatch watch = FleetRingWatch.start(topology, fleet, lbctl.vipInMaps());
            watch.awaitEvery(s -> topology.backends().stream().allMatch(b -> s.slotsOf(b) > 0), Long.MIN_VALUE, SETTLE);
            List<EchoServer> servers = new ArrayList<>(topology.echoServers());
            for (int i = 0; i < failures; i++) {
                int m = i % servers.size();
                BackendNode be = topology.backends().get(m);
                long t0 = System.nanoTime();
                servers.get(m).close();
                SortedMap<Integer, Sample> out = watch.awaitEvery(s -> s.slotsOf(be) == 0, t0, SETTLE);
                millis.add(out.values().stream()
                                .mapToLong(s -> s.atNanos() - t0)
                                .max()
                                .orElseThrow()
                        / 1_000_000);
                long t1 = System.nanoTime();
                servers.set(
                        m,
                        EchoServer.start(
                                be.ns(), be.name(), List.of(topology.vip4(), topology.vip6()), topology.echoPort()));
                watch.awaitEvery(s -> s.slotsOf(be) > 0, t1, SETTLE);
            }
            servers.forEach(EchoServer::close);
            System.out.println(
                    json(failures, timing, millis, watch.indexConflicts().size()));
        }
    }

    private static String json(int failures, CheckTiming timing, List<Long> millis, int conflicts) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return String.format(
                Locale.ROOT,
                "{\"bench\":\"health-failover\",\"failures\":%d,\"interval_ms\":%d,\"timeout_ms\":%d,\"fall\":%d,"
                        + "\"target_ms\":%d,\"p50_ms\":%d,\"p99_ms\":%d,\"min_ms\":%d,\"max_ms\":%d,"
                        + "\"index_conflicts\":%d,\"all_ms\":%s}",
                failures,
                timing.intervalMillis(),
                timing.timeoutMillis(),
                timing.fall(),
                timing.downMillis() + 500,
                percentile(sorted, 50),
                percentile(sorted, 99),
                sorted.get(0),
                sorted.get(sorted.size() - 1),
                conflicts,
                millis);
    }

    /** Nearest-rank percentile. */
    private static long percentile(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static int arg(String[] args, String name, int otherwise) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return otherwise;
    }
}
