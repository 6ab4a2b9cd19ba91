package io.ringfleet.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.NodeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PolledFleetProgressTest {
    /** Peers that answer with a programmed index, answer late, or not at all. */
    static final class Peers implements PeerStatusSource {
        final Map<String, Long> programmed = new ConcurrentHashMap<>();
        final Map<String, Boolean> silent = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public CompletableFuture<NodeStatus> status(String nodeId, Duration timeout) {
            calls.incrementAndGet();
            if (silent.getOrDefault(nodeId, false)) {
                return CompletableFuture.failedFuture(new FleetUnavailableException(nodeId + " is down"));
            }
            return CompletableFuture.completedFuture(NodeStatus.newBuilder()
                    .setNodeId(nodeId)
                    .setProgrammedIndex(programmed.getOrDefault(nodeId, 0L))
                    .build());
        }
    }

    private static void eventually(Runnable check) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    @Test
    void configuredPeersHoldWaitsUntilTheyHaveBeenSilentForDownAfter() throws Exception {
        Peers peers = new Peers();
        peers.silent.put("lb3", true);
        try (PolledFleetProgress p = new PolledFleetProgress(
                "lb1", () -> 7, List.of("lb2", "lb3"), peers, Duration.ofMillis(10), Duration.ofMillis(2_000))) {
            assertEquals(Map.of("lb1", 7L, "lb2", 0L, "lb3", 0L), p.programmedIndexes(), "live until proven down");
            // what each notification saw: a slow machine may notify lb2's change and lb3's going down in
            // any order relative to this thread's checks, but each must be notified once it is visible
            List<Map<String, Long>> notified = new CopyOnWriteArrayList<>();
            p.subscribe(() -> notified.add(p.programmedIndexes()));
            peers.programmed.put("lb2", 7L);
            p.start();
            eventually(() -> assertEquals(7L, p.programmedIndexes().get("lb2")));
            // downAfter is far longer than a poll round, so lb2's change is seen (and notified) while lb3 still holds.
            assertTrue(p.programmedIndexes().containsKey("lb3"), "lb3 is held until it has been silent for downAfter");
            eventually(() ->
                    assertTrue(notified.stream().anyMatch(m -> m.get("lb2") == 7L), "lb2's change is notified"));
            eventually(() -> assertEquals(Map.of("lb1", 7L, "lb2", 7L), p.programmedIndexes()));
            eventually(() -> assertTrue(
                    notified.stream().anyMatch(m -> !m.containsKey("lb3")), "lb3 going down is notified too"));
            peers.silent.put("lb3", false);
            peers.programmed.put("lb3", 5L);
            eventually(() -> assertEquals(5L, p.programmedIndexes().get("lb3")));
        }
    }

    @Test
    void idleFleetsArePolledSlowlyAndANewWaitTriggersARoundAtOnce() throws Exception {
        Peers peers = new Peers();
        try (PolledFleetProgress p = new PolledFleetProgress(
                "lb1",
                () -> 7,
                List.of("lb2"),
                peers,
                Duration.ofMillis(5),
                Duration.ofSeconds(60),
                Duration.ofSeconds(120))) {
            p.start();
            eventually(() -> assertTrue(peers.calls.get() >= 1, "the first round runs at start"));
            Thread.sleep(300); // 60 busy intervals, far less than the idle one: an idle fleet is not asked again
            assertEquals(1, peers.calls.get(), "calls to lb2 while nobody waits");
            peers.programmed.put("lb2", 9L);
            AtomicInteger changes = new AtomicInteger();
            p.subscribe(changes::incrementAndGet);
            eventually(() -> assertEquals(9L, p.programmedIndexes().get("lb2"), "a new waiter triggers a round"));
            eventually(() -> assertTrue(peers.calls.get() >= 3, "while someone waits, rounds run every interval"));
        }
    }
}
