package io.ringfleet.state.raft;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/**
 * The one owner of the fleet log's Raft timings: election timeout (min and max), the server-to-server request
 * timeout, the leader's step-down wait, and pre-vote. {@link #applyTo} writes them into Ratis properties; nothing
 * else in the project sets these keys for a {@link FleetNode}.
 *
 * <p>Why these defaults: Ratis's own (150–300 ms elections) let a follower whose heartbeat thread is starved for a
 * fraction of a second start an election; on a loaded 2-core machine an idle 3-node fleet changed leader every ~20 s.
 * etcd and Kafka KRaft use ~1 s elections. The leader sends heartbeats every half minimum election timeout, so
 * with a 1 s minimum a follower must miss about two heartbeats in a row before it even pre-votes; and pre-vote
 * stops a node that cannot win (behind, or cut off) from bumping the term and unseating a healthy leader.
 */
public final class RaftTimings {
    /** The defaults: elections after 1–2 s of silence, 3 s requests, step-down wait of 5 s, pre-vote on. */
    public static final RaftTimings DEFAULT =
            new RaftTimings(Duration.ofMillis(1000), Duration.ofMillis(2000), Duration.ofMillis(3000), true);

    /** Least allowed minimum election timeout: below this a GC pause or a busy core is an election. */
    public static final Duration MIN_ELECTION_TIMEOUT = Duration.ofMillis(50);
    /** Greatest allowed maximum election timeout: beyond it a dead leader leaves the fleet unwritable too long. */
    public static final Duration MAX_ELECTION_TIMEOUT = Duration.ofSeconds(60);
    /** Greatest allowed request timeout (the config's range too): a peer silent that long is gone. */
    public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);

    private final Duration electionTimeoutMin;
    private final Duration electionTimeoutMax;
    private final Duration requestTimeout;
    private final boolean preVote;

    private RaftTimings(Duration min, Duration max, Duration request, boolean preVote) {
        this.electionTimeoutMin = min;
        this.electionTimeoutMax = max;
        this.requestTimeout = request;
        this.preVote = preVote;
    }

    /**
     * Checked timings: {@code min} in [50 ms, 60 s], {@code max} > {@code min} and ≤ 60 s
     * (the spread is what keeps two followers from campaigning together), {@code request} ≥ {@code min} and
     * ≤ 10 min.
     *
     * @throws IllegalArgumentException saying which value is wrong and what is allowed
     */
    public static RaftTimings of(Duration min, Duration max, Duration request, boolean preVote) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(request, "request");
        if (min.compareTo(MIN_ELECTION_TIMEOUT) < 0 || min.compareTo(MAX_ELECTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("election-timeout-min must be " + MIN_ELECTION_TIMEOUT.toMillis()
                    + " ms to " + MAX_ELECTION_TIMEOUT.toMillis() + " ms, got " + min.toMillis() + " ms");
        }
        if (max.compareTo(min) <= 0 || max.compareTo(MAX_ELECTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("election-timeout-max must be more than election-timeout-min ("
                    + min.toMillis() + " ms) and at most " + MAX_ELECTION_TIMEOUT.toMillis() + " ms, got "
                    + max.toMillis() + " ms");
        }
        if (request.compareTo(min) < 0 || request.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
            throw new IllegalArgumentException("request-timeout must be at least election-timeout-min ("
                    + min.toMillis() + " ms) and at most " + MAX_REQUEST_TIMEOUT.toMillis() + " ms, got "
                    + request.toMillis() + " ms");
        }
        return new RaftTimings(min, max, request, preVote);
    }

    public Duration electionTimeoutMin() {
        return electionTimeoutMin;
    }

    public Duration electionTimeoutMax() {
        return electionTimeoutMax;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public boolean preVote() {
        return preVote;
    }

    /**
     * Writes these timings into Ratis's properties: the election timeout also bounds the first election after a
     * start (Ratis would otherwise use its own default there) and the staging catch-up of a joining peer.
     */
    public void applyTo(RaftProperties p) {
        TimeDuration min = ms(electionTimeoutMin);
        TimeDuration max = ms(electionTimeoutMax);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, max);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, max);
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, ms(requestTimeout));
        RaftServerConfigKeys.LeaderElection.setPreVote(p, preVote);
    }

    private static TimeDuration ms(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RaftTimings t
                && t.electionTimeoutMin.equals(electionTimeoutMin)
                && t.electionTimeoutMax.equals(electionTimeoutMax)
                && t.requestTimeout.equals(requestTimeout)
                && t.preVote == preVote;
    }

    @Override
    public int hashCode() {
        return Objects.hash(electionTimeoutMin, electionTimeoutMax, requestTimeout, preVote);
    }

    @Override
    public String toString() {
        return "RaftTimings{election " + electionTimeoutMin.toMillis() + "-" + electionTimeoutMax.toMillis()
                + " ms, request " + requestTimeout.toMillis() + " ms, pre-vote " + (preVote ? "on" : "off") + "}";
    }
}
