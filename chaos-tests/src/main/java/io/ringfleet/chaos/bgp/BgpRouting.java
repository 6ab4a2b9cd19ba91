package io.ringfleet.chaos.bgp;

import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Real BGP for a {@link Topology}: FRR in the router namespace, BIRD in every LB namespace, one eBGP session
 * with BFD per LB. It replaces the topology's hand-written VIP routes (which it deletes: from then on only
 * zebra writes them, so the topology's {@code announce}/{@code withdraw} must not be used). Registered with
 * the topology for teardown (daemons stop before the namespaces go).
 *
 * <p>Run files are under {@code DIR}: {@code router/} for FRR, {@code lbN/} for each BIRD.
 */
public final class BgpRouting implements AutoCloseable {
    private static final long SESSIONS_TIMEOUT_MS = 30_000;

    private final Topology topology;
    private final FrrRouter router;
    private final Map<Integer, BirdSpeaker> speakers;
    private final Consumer<String> log;
    private final boolean bfd;

    private BgpRouting(
            Topology topology,
            FrrRouter router,
            Map<Integer, BirdSpeaker> speakers,
            boolean bfd,
            Consumer<String> log) {
        this.topology = topology;
        this.bfd = bfd;
        this.router = router;
        this.speakers = speakers;
        this.log = log;
    }

    /**
     * Starts FRR and one BIRD per LB (in parallel) and waits until every session is established with BFD up.
     * The LBs announce nothing yet: their route hooks do that.
     *
     * @param bfd false leaves BFD off on both sides (the control run for the host-failure fault)
     */
    public static BgpRouting start(Topology topology, Path dir, boolean bfd, Consumer<String> log) {
        deleteStaticVipRoutes(topology);
        CompletableFuture<FrrRouter> frr = CompletableFuture.supplyAsync(
                () -> FrrRouter.start(topology.router(), dir.resolve("router"), topology.lbs(), bfd));
        Map<Integer, CompletableFuture<BirdSpeaker>> birds = new TreeMap<>();
        for (LbNode lb : topology.lbs()) {
            birds.put(
                    lb.number(),
                    CompletableFuture.supplyAsync(() -> BirdSpeaker.start(lb, dir, routerAddress(lb), bfd)));
        }
        Map<Integer, BirdSpeaker> speakers = new TreeMap<>();
        birds.forEach((n, f) -> speakers.put(n, f.join()));
        BgpRouting bgp = new BgpRouting(topology, frr.join(), speakers, bfd, log);
        topology.onTeardown(bgp);
        bgp.awaitSessions(topology.lbs());
        log.accept("bgp: FRR (zebra, bfdd, bgpd) in the router, BIRD in " + speakers.size() + " LBs, eBGP AS "
                + BgpTimers.LB_AS + " → " + BgpTimers.ROUTER_AS + (bfd ? ", BFD 100 ms × 3" : ", BFD OFF")
                + ", ECMP maximum-paths " + speakers.size() + "; files in " + dir);
        return bgp;
    }

    /** The router's address on an LB's link: the LB's address with host part 1. */
    static String routerAddress(LbNode lb) {
        byte[] a = lb.address4().getAddress();
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + ".1";
    }

    private static void deleteStaticVipRoutes(Topology topology) {
        for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
            String family = vip.getAddress().length == 4 ? "-4" : "-6";
            String prefix = vip.getHostAddress() + (family.equals("-4") ? "/32" : "/128");
            topology.router().ip(family, "route", "del", prefix);
        }
    }

    /** Whether the sessions run BFD (false only in the control run). */
    public boolean bfd() {
        return bfd;
    }

    /** Waits until these LBs' sessions are established (and their BFD up, when on). */
    public void awaitSessions(List<LbNode> lbs) {
        long deadline = System.currentTimeMillis() + SESSIONS_TIMEOUT_MS;
        for (LbNode lb : lbs) {
            BirdSpeaker s = speaker(lb.number());
            while (!s.sessionState().orElse("").equals("Established")
                    || (bfd && !s.bfdState().orElse("").equals("Up"))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(lb.id() + ": BGP session not established within "
                            + SESSIONS_TIMEOUT_MS / 1000 + " s (BIRD: "
                            + s.sessionState().orElse("no session")
                            + ", BFD " + s.bfdState().orElse("none") + "); router:\n" + router.sessions());
                }
                Pause.millis(50);
            }
        }
    }

    /** LB numbers the router's selected route for this VIP goes to (FRR's view, {@code show ip route json}). */
    public SortedSet<Integer> nextHops(InetAddress vip) {
        return router.nextHops(vip);
    }

    public FrrRouter router() {
        return router;
    }

    /** LB number n's BIRD. */
    public BirdSpeaker speaker(int n) {
        BirdSpeaker s = speakers.get(n);
        if (s == null) {
            throw new IllegalArgumentException("LB number must be 1.." + speakers.size() + ", got " + n);
        }
        return s;
    }

    public List<BirdSpeaker> speakers() {
        return new ArrayList<>(speakers.values());
    }

    public Topology topology() {
        return topology;
    }

    /** Stops every BIRD, then FRR. */
    @Override
    public void close() {
        for (BirdSpeaker s : speakers.values()) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.accept("stopping BIRD of " + s.lb().id() + " failed: " + e.getMessage());
            }
        }
        router.close();
    }
}
