package io.ringfleet.chaos.bgp;

import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The BGP steps the test and the benchmark time, each against the router's kernel routes (what it forwards with,
 * {@link KernelRouteWatch}; {@code -Dringfleet.bgp.watch=frr} times against FRR's selected route polled with vtysh
 * instead, {@link RouteWatch}, the method of the first measurements): drain (hook {@code withdraw}) → withdrawn,
 * undrain → back, host failure → withdrawn, return → back. Keeps every duration, and how long the hook itself ran
 * on drains (the rest is BIRD, BGP, bgpd, zebra and the kernel); {@link #summary()} is the CI line.
 */
public final class BgpExercise {
    private static final long STEP_TIMEOUT_MS = 10_000;

    private final Topology topology;
    private final BgpRouting bgp;
    private final RouteTimer watch;
    private final String watchName;
    private final List<String> vips;
    private final List<Long> drainMs = new ArrayList<>();
    private final List<Long> drainHookMs = new ArrayList<>();
    private final List<Long> undrainMs = new ArrayList<>();
    private final List<Long> hostFailureMs = new ArrayList<>();
    private final List<Long> returnMs = new ArrayList<>();

    public BgpExercise(BgpRouting bgp) {
        this.bgp = bgp;
        this.topology = bgp.topology();
        if ("frr".equals(System.getProperty("ringfleet.bgp.watch"))) {
            this.watch = new RouteWatch(bgp, List.of(topology.vip4(), topology.vip6()));
            this.watchName = "FRR's route (vtysh polls)";
        } else {
            KernelRouteWatch kernel = KernelRouteWatch.start(topology);
            topology.onTeardown(kernel);
            this.watch = kernel;
            this.watchName = "the router's kernel route (ip monitor)";
        }
        this.vips = List.of(Addresses.text(topology.vip4()), Addresses.text(topology.vip6()));
    }

    /** Every LB runs its hook's announce; returns once the router spreads both VIPs over all of them. */
    public long announceAll() {
        long t0 = System.nanoTime();
        for (BirdSpeaker s : bgp.speakers()) {
            BirdRouteHook.run(s, "announce", vips);
        }
        return watch.awaitMillis(t0, hops -> hops.equals(all()), "every LB announced", STEP_TIMEOUT_MS);
    }

    /** Drain: the LB's hook withdraws; returns the ms until the router's routes no longer use it. */
    public long drain(LbNode lb) {
        long t0 = System.nanoTime();
        BirdRouteHook.run(bgp.speaker(lb.number()), "withdraw", vips);
        drainHookMs.add((System.nanoTime() - t0) / 1_000_000L);
        long ms = watch.awaitMillis(t0, hops -> !hops.contains(lb.number()), lb.id() + " withdrawn", STEP_TIMEOUT_MS);
        drainMs.add(ms);
        return ms;
    }

    /** Undrain: the LB's hook announces; returns the ms until the router uses every LB again. */
    public long undrain(LbNode lb) {
        long t0 = System.nanoTime();
        BirdRouteHook.run(bgp.speaker(lb.number()), "announce", vips);
        long ms = watch.awaitMillis(t0, hops -> hops.equals(all()), lb.id() + " back", STEP_TIMEOUT_MS);
        undrainMs.add(ms);
        return ms;
    }

    /**
     * The host stops ({@link HostFailure#stop}); returns the ms until the router's routes no longer use it,
     * then buries it (processes killed, links down).
     */
    public long hostFailure(LbNode lb) {
        long t0 = System.nanoTime();
        List<Long> frozen = HostFailure.stop(lb);
        long ms = watch.awaitMillis(
                t0,
                hops -> !hops.contains(lb.number()),
                lb.id() + " withdrawn after its host stopped",
                STEP_TIMEOUT_MS);
        hostFailureMs.add(ms);
        HostFailure.bury(lb, frozen);
        return ms;
    }

    /** The host comes back (links, BIRD booted), its session comes up, then its hook announces (ready). */
    public long hostReturn(LbNode lb) {
        BirdSpeaker s = bgp.speaker(lb.number());
        HostFailure.revive(lb, s);
        bgp.awaitSessions(List.of(lb));
        long t0 = System.nanoTime();
        BirdRouteHook.run(s, "announce", vips);
        long ms = watch.awaitMillis(t0, hops -> hops.equals(all()), lb.id() + " back", STEP_TIMEOUT_MS);
        returnMs.add(ms);
        return ms;
    }

    public Set<Integer> all() {
        Set<Integer> out = new TreeSet<>();
        topology.lbs().forEach(lb -> out.add(lb.number()));
        return out;
    }

    public List<String> vips() {
        return vips;
    }

    public List<Long> drainMs() {
        return List.copyOf(drainMs);
    }

    /** How long the hook ran on each drain (process start to exit), in ms. */
    public List<Long> drainHookMs() {
        return List.copyOf(drainHookMs);
    }

    /** What the steps were timed against. */
    public String watchName() {
        return watchName;
    }

    public List<Long> undrainMs() {
        return List.copyOf(undrainMs);
    }

    public List<Long> hostFailureMs() {
        return List.copyOf(hostFailureMs);
    }

    public List<Long> returnMs() {
        return List.copyOf(returnMs);
    }

    /** {@code bgp: D drains, H host failures, withdraw p99 X ms} (withdraw = drain → router withdrew). */
    public String summary() {
        return "bgp: " + drainMs.size() + " drains, " + hostFailureMs.size() + " host failures, withdraw p99 "
                + RouteWatch.percentile(drainMs, 99) + " ms";
    }

    /** One JSON object: p50 / p99 / max of each step, in ms. */
    public String json() {
        return "{\"drain_withdrawn_ms\":" + stats(drainMs) + ",\"drain_hook_ms\":" + stats(drainHookMs)
                + ",\"host_failure_withdrawn_ms\":" + stats(hostFailureMs)
                + ",\"undrain_back_ms\":" + stats(undrainMs) + ",\"return_back_ms\":" + stats(returnMs) + "}";
    }

    private static String stats(List<Long> samples) {
        long max = samples.stream().mapToLong(Long::longValue).max().orElse(0);
        return "{\"n\":" + samples.size() + ",\"p50\":" + RouteWatch.percentile(samples, 50) + ",\"p99\":"
                + RouteWatch.percentile(samples, 99) + ",\"max\":" + max + "}";
    }
}
