package io.ringfleet.chaos.sim;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * Network faults between in-process Ratis peers, applied where every peer receives Raft traffic: Ratis's own
 * injection points in {@code RaftServerImpl} (append entries, including heartbeats; request vote, including
 * pre-vote; install snapshot; start leader election, used by leadership transfer). Each point is told the
 * receiving peer and the sending peer.
 *
 * <ul>
 *   <li><b>Isolated</b> peer: every Raft request it sends or receives fails at the receiver with an
 *       {@link IOException} (a dropped connection, not a hang), in both directions. Client requests are not
 *       cut: an agent still reaches its own node (a stale leader may accept a write it can never commit).
 *   <li><b>Slow</b> peer: every Raft request it receives or sends is handled that many milliseconds late.
 * </ul>
 *
 * <p>One instance serves every simulated cluster in the JVM; peer ids are unique per cluster, so clusters
 * running side by side never see each other's faults. Ratis's own {@code BlockRequestHandlingInjection} is not
 * used: it blocks handler threads (the simulated RPC has three per peer), which stalls the healthy peers too.
 */
final class NetworkFaults implements CodeInjectionForTesting.Code {
    static final NetworkFaults INSTANCE = new NetworkFaults();

    /** The injection points, read from RaftServerImpl so that a renamed point fails loudly, not silently. */
    private static final List<String> POINTS =
            List.of("REQUEST_VOTE", "APPEND_ENTRIES", "INSTALL_SNAPSHOT", "START_LEADER_ELECTION");

    private final Set<String> isolated = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> slowMs = new ConcurrentHashMap<>();
    private volatile boolean installed;

    private NetworkFaults() {}

    /** Registers this instance at every point (idempotent). */
    static NetworkFaults install() {
        if (!INSTANCE.installed) {
            synchronized (INSTANCE) {
                if (!INSTANCE.installed) {
                    for (String point : POINTS) {
                        CodeInjectionForTesting.put(pointName(point), INSTANCE);
                    }
                    INSTANCE.installed = true;
                }
            }
        }
        return INSTANCE;
    }

    private static String pointName(String field) {
        try {
            Class<?> impl = Class.forName("org.apache.ratis.server.impl.RaftServerImpl");
            Field f = impl.getDeclaredField(field);
            f.setAccessible(true);
            return (String) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "Ratis injection point RaftServerImpl." + field + " not found: this simulation "
                            + "needs Ratis 3.3's injection points",
                    e);
        }
    }

    void isolate(String peerId) {
        isolated.add(peerId);
    }

    void reconnect(String peerId) {
        isolated.remove(peerId);
    }

    boolean isIsolated(String peerId) {
        return isolated.contains(peerId);
    }

    /** Requests to and from the peer are handled {@code ms} late; 0 clears. */
    void slow(String peerId, int ms) {
        if (ms < 0 || ms > 10_000) {
            throw new IllegalArgumentException("slow delay must be 0..10000 ms, got " + ms);
        }
        if (ms == 0) {
            slowMs.remove(peerId);
        } else {
            slowMs.put(peerId, ms);
        }
    }

    /** Clears every fault of these peers (a schedule's end). */
    void clear(Iterable<String> peerIds) {
        for (String id : peerIds) {
            isolated.remove(id);
            slowMs.remove(id);
        }
    }

    @Override
    public boolean execute(Object localId, Object remoteId, Object... args) {
        String local = String.valueOf(localId);
        String remote = String.valueOf(remoteId);
        if (isolated.contains(local) || isolated.contains(remote)) {
            throw sneaky(new PartitionedException(remote + " -> " + local + ": partitioned"));
        }
        int delay = Math.max(slowMs.getOrDefault(local, 0), slowMs.getOrDefault(remote, 0));
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return delay > 0;
    }

    /** What a cut link looks like to Ratis: an I/O error of the request. */
    static final class PartitionedException extends IOException {
        private static final long serialVersionUID = 1L;

        PartitionedException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // thrown thousands of times per schedule: no stack trace
        }
    }

    /** Throws a checked exception through an interface that declares none (Ratis declares IOException upstream). */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
