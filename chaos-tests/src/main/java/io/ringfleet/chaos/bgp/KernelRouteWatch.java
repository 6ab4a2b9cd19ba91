package io.ringfleet.chaos.bgp;

import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.netns.Topology;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Times route changes in the router's kernel (what it forwards with) as they happen: one long-running {@code ip
 * monitor route nexthop} in the router's namespace reports every change of a route or nexthop group the moment
 * zebra makes it, and a step's time is the arrival of the last change before the routes were seen meeting the
 * condition. {@link RouteWatch} instead polls FRR with vtysh, two calls per poll, each 50–500 ms on a busy 2-core
 * machine: its figures include up to a poll and a half of its own cost.
 *
 * <p>The figure errs late, never early: a change read between an event and the read that saw it counts at the
 * later event.
 */
public final class KernelRouteWatch implements RouteTimer, AutoCloseable {
    private static final long SLICE_MS = 100;
    /** Long enough for the reader to take the line of a change the kernel made just before a read. */
    private static final long CATCH_UP_MS = 30;

    private final Topology topology;
    private final Process monitor;
    private final List<Long> events = new ArrayList<>();

    private KernelRouteWatch(Topology topology, Process monitor) {
        this.topology = topology;
        this.monitor = monitor;
    }

    /** Starts {@code ip -n ROUTER monitor route nexthop} and its reader. */
    public static KernelRouteWatch start(Topology topology) {
        try {
            Process p = new ProcessBuilder("ip", "-n", topology.router().name(), "monitor", "route", "nexthop")
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            KernelRouteWatch w = new KernelRouteWatch(topology, p);
            Thread reader =
                    new Thread(w::read, "route-monitor-" + topology.router().name());
            reader.setDaemon(true);
            reader.start();
            return w;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start ip monitor in " + topology.router().name() + ": " + e, e);
        }
    }

    private void read() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                long now = System.nanoTime();
                synchronized (events) {
                    events.add(now);
                    events.notifyAll();
                }
            }
        } catch (IOException closed) {
            // the monitor was stopped
        }
    }

    /**
     * Milliseconds from {@code sinceNanos} to the kernel change after which both VIPs' next hops (LB numbers)
     * satisfy the condition (0 if they already did); throws with the last next hops seen after timeoutMs.
     */
    @Override
    public long awaitMillis(long sinceNanos, Predicate<Set<Integer>> condition, String what, long timeoutMs) {
        long deadline = sinceNanos + timeoutMs * 1_000_000L;
        int seen = -1;
        while (true) {
            seen = awaitEventAfter(seen);
            long readStart = System.nanoTime();
            Set<Integer> v4 = topology.nextHops4();
            Set<Integer> v6 = topology.nextHops6();
            long readEnd = System.nanoTime();
            if (condition.test(v4) && condition.test(v6)) {
                Pause.millis(CATCH_UP_MS);
                long changed = lastEventBefore(readEnd, sinceNanos);
                return changed < 0 ? 0 : Math.max(0, (changed - sinceNanos) / 1_000_000L);
            }
            if (readStart > deadline) {
                throw new IllegalStateException("router kernel: " + what + " not seen within " + timeoutMs
                        + " ms; next hops (LB numbers) " + v4 + " / " + v6 + "; kernel routes:\n"
                        + topology.router().ip("route", "show", "proto", "bgp")
                        + topology.router().ip("-6", "route", "show", "proto", "bgp"));
            }
        }
    }

    /** Waits up to a slice for more events than {@code seen}; returns the count now. */
    private int awaitEventAfter(int seen) {
        synchronized (events) {
            if (events.size() <= seen) {
                try {
                    events.wait(SLICE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return events.size();
        }
    }

    /** The last event that arrived after {@code since} and before {@code before}, or -1. */
    private long lastEventBefore(long before, long since) {
        synchronized (events) {
            for (int i = events.size() - 1; i >= 0; i--) {
                long t = events.get(i);
                if (t <= before) {
                    return t > since ? t : -1;
                }
            }
            return -1;
        }
    }

    @Override
    public void close() {
        monitor.destroy();
    }
}
