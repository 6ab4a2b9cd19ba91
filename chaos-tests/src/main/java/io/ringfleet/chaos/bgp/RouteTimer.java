package io.ringfleet.chaos.bgp;

import java.util.Set;
import java.util.function.Predicate;

/** Times how long the router's VIP routes take to meet a condition: {@link KernelRouteWatch}, {@link RouteWatch}. */
public interface RouteTimer {
    /**
     * Milliseconds from {@code sinceNanos} until both VIPs' next hops (LB numbers) satisfy the condition; throws
     * after timeoutMs.
     */
    long awaitMillis(long sinceNanos, Predicate<Set<Integer>> condition, String what, long timeoutMs);
}
