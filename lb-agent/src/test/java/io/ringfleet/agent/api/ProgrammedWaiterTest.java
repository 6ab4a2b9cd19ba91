package io.ringfleet.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.ProgrammedProgress;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgrammedWaiterTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Progress progress = new Progress();
    private final ProgrammedWaiter waiter = new ProgrammedWaiter("lb1", progress, timer);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Progress a test moves by hand. */
    static final class Progress implements FleetProgress {
        private final TreeMap<String, Long> nodes = new TreeMap<>();
        private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        synchronized void set(String node, long index) {
            nodes.put(node, index);
            listeners.forEach(Runnable::run);
        }

        synchronized void remove(String node) {
            nodes.remove(node);
            listeners.forEach(Runnable::run);
        }

        @Override
        public synchronized SortedMap<String, Long> programmedIndexes() {
            return new TreeMap<>(nodes);
        }

        @Override
        public Subscription subscribe(Runnable listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        int listenerCount() {
            return listeners.size();
        }
    }

    @Test
    void anIndexOf2To63OrMoreIsRefusedNotProgrammedAtOnce() {
        progress.set("lb1", 5);
        progress.set("lb2", 5);
        progress.set("lb3", 5);
        // uint64 2^64-1 and 2^63 as Java longs: compared as longs they were below 5, "3/3 programmed" at once.
        for (long index : new long[] {-1L, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> waiter.await(index, true, Duration.ofSeconds(1)));
            assertEquals(
                    "index " + Long.toUnsignedString(index) + " is above the largest log index " + Long.MAX_VALUE,
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> waiter.snapshot(index, true, false));
        }
        assertEquals(0, progress.listenerCount());
        ProgrammedProgress top = waiter.snapshot(Long.MAX_VALUE, true, false);
        assertEquals(0, top.getNodesProgrammed());
        assertEquals(List.of("lb1", "lb2", "lb3"), top.getLaggingNodesList());
    }

    @Test
    void aNodeReportingAnIndexOf2To63OrMoreIsLaggingNotProgrammed() throws Exception {
        progress.set("lb1", 5);
        progress.set("lb2", -1L); // a peer's status of 2^64-1
        progress.set("lb3", Long.MIN_VALUE); // 2^63
        ProgrammedProgress p = waiter.await(5, true, Duration.ofMillis(100)).get(5, TimeUnit.SECONDS);
        assertTrue(p.getTimedOut());
        assertEquals(1, p.getNodesProgrammed());
        assertEquals(List.of("lb2", "lb3"), p.getLaggingNodesList());
    }

    @Test
    void completesWhenTheLastLiveNodeReachesTheIndex() throws Exception {
        progress.set("lb1", 5);
        progress.set("lb2", 4);
        CompletableFuture<ProgrammedProgress> wait = waiter.await(5, true, Duration.ofSeconds(10));
        assertFalse(wait.isDone());
        progress.set("lb2", 6);
        ProgrammedProgress p = wait.get(1, TimeUnit.SECONDS);
        assertFalse(p.getTimedOut());
        assertEquals(2, p.getNodesProgrammed());
        assertEquals(0, progress.listenerCount(), "the waiter must unsubscribe");
    }

    @Test
    void aNodeThatGoesDownNoLongerHoldsTheWait() throws Exception {
        progress.set("lb1", 5);
        progress.set("lb3", 1);
        CompletableFuture<ProgrammedProgress> wait = waiter.await(5, true, Duration.ofSeconds(10));
        progress.remove("lb3");
        ProgrammedProgress p = wait.get(1, TimeUnit.SECONDS);
        assertEquals(1, p.getNodesLive());
    }

    @Test
    void timesOutNamingTheLaggingNodes() throws Exception {
        progress.set("lb1", 5);
        progress.set("lb2", 2);
        progress.set("lb3", 3);
        ProgrammedProgress p = waiter.await(5, true, Duration.ofMillis(100)).get(2, TimeUnit.SECONDS);
        assertTrue(p.getTimedOut());
        assertEquals(List.of("lb2", "lb3"), p.getLaggingNodesList());
        assertEquals(3, p.getNodesLive());
        assertEquals(1, p.getNodesProgrammed());
        assertEquals(0, progress.listenerCount());
    }

    @Test
    void withNoLiveNodeReportedTheWaitIsNotSatisfied() throws Exception {
        ProgrammedProgress p = waiter.await(1, true, Duration.ofMillis(50)).get(2, TimeUnit.SECONDS);
        assertTrue(p.getTimedOut());
        assertEquals(0, p.getNodesLive());
    }

    @Test
    void localWaitLooksAtThisNodeOnly() throws Exception {
        progress.set("lb1", 9);
        progress.set("lb2", 0);
        ProgrammedProgress p = waiter.await(9, false, Duration.ofSeconds(5)).get(1, TimeUnit.SECONDS);
        assertFalse(p.getTimedOut());
        assertEquals(1, p.getNodesLive());
    }
}
