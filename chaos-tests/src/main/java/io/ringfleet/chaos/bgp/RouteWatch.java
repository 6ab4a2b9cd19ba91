package io.ringfleet.chaos.bgp;

import io.ringfleet.chaos.Pause;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * Waits for the router's selected routes of the VIPs to meet a condition, polling FRR ({@code show ip route
 * json}) as fast as vtysh answers, and says how long it took.
 */
public final class RouteWatch implements RouteTimer {
    private final BgpRouting bgp;
    private final List<InetAddress> vips;

    public RouteWatch(BgpRouting bgp, List<InetAddress> vips) {
        this.bgp = bgp;
        this.vips = List.copyOf(vips);
    }

    /**
     * Milliseconds from {@code sinceNanos} until every VIP's next hops satisfy the condition; throws with
     * the last next hops seen if that takes longer than timeoutMs.
     */
    @Override
    public long awaitMillis(long sinceNanos, Predicate<Set<Integer>> condition, String what, long timeoutMs) {
        long deadline = sinceNanos + timeoutMs * 1_000_000L;
        while (true) {
            SortedSet<Integer> failing = null;
            for (InetAddress vip : vips) {
                SortedSet<Integer> hops = bgp.nextHops(vip);
                if (!condition.test(hops)) {
                    failing = hops;
                    break;
                }
            }
            long now = System.nanoTime();
            if (failing == null) {
                return (now - sinceNanos) / 1_000_000L;
            }
            if (now > deadline) {
                throw new IllegalStateException(
                        "router: " + what + " not seen within " + timeoutMs + " ms; next hops (LB numbers) " + failing
                                + "\n" + bgp.router().sessions());
            }
            Pause.millis(5);
        }
    }

    /** The p-th percentile (nearest rank) of these samples. */
    public static long percentile(List<Long> samples, int p) {
        if (samples.isEmpty()) {
            return 0;
        }
        List<Long> sorted = samples.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
