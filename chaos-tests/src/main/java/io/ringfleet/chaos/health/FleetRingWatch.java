package io.ringfleet.chaos.health;

import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.DatapathState;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Samples what every LB's kernel holds, continuously, one thread per LB: the agent's programmed index (its
 * {@code /metrics}) and the VIP's ring read back from the pinned maps. A sample counts only when the programmed
 * index read before the kernel read equals the one read a little after it, so the ring belongs to that index (a
 * programming run writes the maps and then moves the index). From the samples: when each LB's ring excluded or
 * included a real, how often a ring changed, and whether two LBs ever held different rings at one index.
 */
public final class FleetRingWatch implements AutoCloseable {
    private static final String PROGRAMMED_INDEX = "ringfleet_programmed_index";
    /** Between the kernel read and the second index read: longer than a run's last write to its index update. */
    private static final long SETTLE_MILLIS = 40;

    /**
     * What one LB's kernel held at one programmed index.
     *
     * @param slots ring slots per backend name (0: the real owns none)
     * @param atNanos just after the kernel read ({@link System#nanoTime()})
     */
    public record Sample(int lb, long index, String ringDigest, Map<String, Integer> slots, long atNanos) {
        public int slotsOf(BackendNode backend) {
            return slots.getOrDefault(backend.name(), 0);
        }
    }

    private final Topology topology;
    private final LbAgentFleet fleet;
    private final String vip;
    private final Map<Integer, List<Sample>> samples = new TreeMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private FleetRingWatch(Topology topology, LbAgentFleet fleet, String vip) {
        this.topology = topology;
        this.fleet = fleet;
        this.vip = vip;
    }

    /**
     * Starts one sampling thread per LB (registered for teardown with the topology).
     *
     * @param vip the VIP whose slots are counted, as {@link DatapathState.Vip#describe()} writes it
     *     ({@code 10.200.0.1:8080/tcp}); the ring digest covers every VIP
     */
    public static FleetRingWatch start(Topology topology, LbAgentFleet fleet, String vip) {
        FleetRingWatch w = new FleetRingWatch(topology, fleet, vip);
        topology.onTeardown(w);
        for (LbNode lb : topology.lbs()) {
            w.samples.put(lb.number(), new ArrayList<>());
            Thread t = new Thread(() -> w.loop(lb.number()), "ring-watch-" + lb.id());
            t.setDaemon(true);
            w.threads.add(t);
            t.start();
        }
        return w;
    }

    private void loop(int lb) {
        while (running) {
            try {
                sample(lb).ifPresent(this::add);
            } catch (RuntimeException e) {
                // an agent restarting or a map being rewritten: the next sample will do
            }
            pause(10);
        }
    }

    private Optional<Sample> sample(int lb) {
        double before = fleet.agent(lb).metric(PROGRAMMED_INDEX);
        DatapathState state = DatapathState.read(fleet.observe(lb));
        long at = System.nanoTime();
        pause(SETTLE_MILLIS);
        double after = fleet.agent(lb).metric(PROGRAMMED_INDEX);
        Optional<DatapathState.Vip> watched = state.vips().values().stream()
                .filter(v -> v.describe().equals(vip))
                .findFirst();
        if (Double.isNaN(before) || before != after || watched.isEmpty()) {
            return Optional.empty();
        }
        int vipNum = watched.get().vipNum();
        SortedMap<String, Integer> slots = new TreeMap<>();
        for (BackendNode b : topology.backends()) {
            int index = state.realIndexOf(b.address4());
            slots.put(b.name(), index < 0 ? 0 : state.slotsOf(vipNum, index));
        }
        return Optional.of(new Sample(lb, (long) before, state.ringDigestHex(), slots, at));
    }

    private synchronized void add(Sample s) {
        samples.get(s.lb()).add(s);
    }

    /** Every LB's samples taken after sinceNanos, in order. */
    public synchronized List<Sample> since(int lb, long sinceNanos) {
        return samples.get(lb).stream().filter(s -> s.atNanos() >= sinceNanos).toList();
    }

    /** Each LB's newest sample. */
    public synchronized SortedMap<Integer, Sample> latest() {
        SortedMap<Integer, Sample> out = new TreeMap<>();
        samples.forEach((lb, l) -> {
            if (!l.isEmpty()) {
                out.put(lb, l.get(l.size() - 1));
            }
        });
        return out;
    }

    /**
     * For each LB, its first sample taken after sinceNanos that satisfies what; waits for all of them.
     *
     * @throws IllegalStateException naming the LBs that did not get there within timeout, and their newest samples
     */
    public SortedMap<Integer, Sample> awaitEvery(Predicate<Sample> what, long sinceNanos, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SortedMap<Integer, Sample> found = new TreeMap<>();
            for (int lb : lbs()) {
                since(lb, sinceNanos).stream().filter(what).findFirst().ifPresent(s -> found.put(lb, s));
            }
            if (found.size() == lbs().size()) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("within " + timeout.toMillis() + " ms only LBs " + found.keySet()
                        + " got there; newest samples: " + latest().values());
            }
            pause(20);
        }
    }

    /** How many times lb's ring changed between two of its samples, from its last sample before fromNanos. */
    public synchronized int ringChanges(int lb, long fromNanos) {
        int changes = 0;
        String last = null;
        for (Sample s : samples.get(lb)) {
            if (s.atNanos() < fromNanos) {
                last = s.ringDigest();
                continue;
            }
            if (last != null && !last.equals(s.ringDigest())) {
                changes++;
            }
            last = s.ringDigest();
        }
        return changes;
    }

    /** Every index at which two samples (of one LB or of two) saw different rings: must be empty. */
    public synchronized List<String> indexConflicts() {
        SortedMap<Long, SortedMap<String, TreeSet<Integer>>> byIndex = byIndex();
        List<String> out = new ArrayList<>();
        byIndex.forEach((index, digests) -> {
            if (digests.size() > 1) {
                out.add("index " + index + ": rings " + digests);
            }
        });
        return out;
    }

    /** Indexes that at least two LBs were sampled at (what {@link #indexConflicts()} compared). */
    public synchronized int indexesSeenOnSeveralLbs() {
        int n = 0;
        for (SortedMap<String, TreeSet<Integer>> digests : byIndex().values()) {
            TreeSet<Integer> lbs = new TreeSet<>();
            digests.values().forEach(lbs::addAll);
            if (lbs.size() > 1) {
                n++;
            }
        }
        return n;
    }

    /** Samples taken in all. */
    public synchronized int sampleCount() {
        return samples.values().stream().mapToInt(List::size).sum();
    }

    private SortedMap<Long, SortedMap<String, TreeSet<Integer>>> byIndex() {
        SortedMap<Long, SortedMap<String, TreeSet<Integer>>> byIndex = new TreeMap<>();
        for (List<Sample> l : samples.values()) {
            for (Sample s : l) {
                byIndex.computeIfAbsent(s.index(), i -> new TreeMap<>())
                        .computeIfAbsent(s.ringDigest().substring(0, 12), d -> new TreeSet<>())
                        .add(s.lb());
            }
        }
        return byIndex;
    }

    private synchronized java.util.Set<Integer> lbs() {
        return samples.keySet();
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
