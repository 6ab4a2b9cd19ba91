package io.ringfleet.agent.api;

import io.ringfleet.api.NodeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Fleet progress by asking: this node's programmed index comes from its programmer (call
 * {@link #localChanged()} when it moves), the other nodes' from their own status reports, polled every
 * interval.
 *
 * <p>Liveness errs on the side of waiting: every configured peer counts as live (holding fleet-wide
 * waits) from the start, and stops counting only after it has not answered for {@code downAfter}; one
 * answer makes it live again. A slow answer therefore never lets a wait end early.
 *
 * <p>Peers are asked every {@code interval} while someone waits (a subscriber), and every {@code idleInterval}
 * otherwise, which keeps liveness current without a call per peer every few milliseconds on an idle fleet; a
 * new subscriber triggers a round at once. A wait ends at most one interval after the last node programmed.
 * A fleet of hundreds would want the nodes to push instead.
 */
public final class PolledFleetProgress implements FleetProgress, AutoCloseable {
    /** What is known of one peer. */
    private static final class Peer {
        volatile long programmed;
        volatile long lastAnswerNanos;
        volatile boolean inFlight;
        /** Whether the last poll round saw it live (a round late on a loaded machine still sees the change). */
        boolean liveAtLastRound = true;

        Peer(long now) {
            lastAnswerNanos = now;
        }
    }

    private final String selfId;
    private final LongSupplier localProgrammed;
    private final PeerStatusSource peers;
    private final Duration interval;
    private final Duration idleInterval;
    private final Duration downAfter;
    private volatile long lastRoundNanos;
    private final Map<String, Peer> known = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;

    /**
     * @param peerIds the other nodes (not this one)
     * @param interval how often to ask each of them
     * @param downAfter how long a peer may stay silent before it no longer counts as live
     */
    public PolledFleetProgress(
            String selfId,
            LongSupplier localProgrammed,
            List<String> peerIds,
            PeerStatusSource peers,
            Duration interval,
            Duration downAfter) {
        this(selfId, localProgrammed, peerIds, peers, interval, interval, downAfter);
    }

    /**
     * @param interval how often to ask each peer while someone waits
     * @param idleInterval how often to ask each peer while nobody waits (at least interval, at most downAfter)
     * @param downAfter how long a peer may stay silent before it no longer counts as live
     */
    public PolledFleetProgress(
            String selfId,
            LongSupplier localProgrammed,
            List<String> peerIds,
            PeerStatusSource peers,
            Duration interval,
            Duration idleInterval,
            Duration downAfter) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.localProgrammed = Objects.requireNonNull(localProgrammed, "localProgrammed");
        if (peerIds.contains(selfId)) {
            throw new IllegalArgumentException("peerIds must not contain this node (" + selfId + ")");
        }
        this.peers = Objects.requireNonNull(peers, "peers");
        if (interval.isZero() || interval.isNegative() || downAfter.compareTo(interval) < 0) {
            throw new IllegalArgumentException("interval must be positive and downAfter at least the interval, got "
                    + interval + " and " + downAfter);
        }
        if (idleInterval.compareTo(interval) < 0 || idleInterval.compareTo(downAfter) > 0) {
            throw new IllegalArgumentException("idleInterval must be from interval to downAfter (" + interval + ".."
                    + downAfter + "), got " + idleInterval);
        }
        this.interval = interval;
        this.idleInterval = idleInterval;
        this.downAfter = downAfter;
        long now = System.nanoTime();
        for (String id : peerIds) {
            known.put(id, new Peer(now));
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-progress-" + selfId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts polling the peers. */
    public PolledFleetProgress start() {
        if (!known.isEmpty()) {
            poller.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void poll() {
        long now = System.nanoTime();
        if (listeners.isEmpty() && now - lastRoundNanos < idleInterval.toNanos()) {
            return;
        }
        lastRoundNanos = now;
        boolean changed = false;
        for (Map.Entry<String, Peer> e : known.entrySet()) {
            Peer peer = e.getValue();
            boolean live = isLive(peer, now);
            changed |= live != peer.liveAtLastRound;
            peer.liveAtLastRound = live;
            if (peer.inFlight) {
                continue;
            }
            peer.inFlight = true;
            peers.status(e.getKey(), downAfter).whenComplete((status, failure) -> {
                peer.inFlight = false;
                if (failure == null) {
                    answered(peer, status);
                }
            });
        }
        if (changed) {
            notifyListeners();
        }
    }

    private void answered(Peer peer, NodeStatus status) {
        long now = System.nanoTime();
        boolean wasLive = isLive(peer, now);
        long before = peer.programmed;
        // uint64 on the wire: an index of 2^63 or more (no log gets there) stays a negative long, which
        // ProgrammedWaiter counts as lagging for every index, never as programmed.
        peer.programmed = status.getProgrammedIndex();
        peer.lastAnswerNanos = now;
        if (!wasLive || before != peer.programmed) {
            notifyListeners();
        }
    }

    private boolean isLive(Peer peer, long now) {
        return now - peer.lastAnswerNanos <= downAfter.toNanos();
    }

    /** Tells waiters that this node's programmed index moved. */
    public void localChanged() {
        notifyListeners();
    }

    @Override
    public SortedMap<String, Long> programmedIndexes() {
        long now = System.nanoTime();
        TreeMap<String, Long> out = new TreeMap<>();
        known.forEach((id, peer) -> {
            if (isLive(peer, now)) {
                out.put(id, peer.programmed);
            }
        });
        out.put(selfId, localProgrammed.getAsLong());
        return out;
    }

    @Override
    public Subscription subscribe(Runnable listener) {
        listeners.add(listener);
        if (!known.isEmpty()) {
            try {
                poller.execute(this::poll); // the peers' figures may be an idle interval old
            } catch (RejectedExecutionException closed) {
                // closing: nothing will be polled any more, the wait ends at its timeout
            }
        }
        return () -> listeners.remove(listener);
    }

    private void notifyListeners() {
        listeners.forEach(Runnable::run);
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
