package io.ringfleet.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringfleet.state.raft.FleetNode;
import java.util.Locale;
import java.util.Objects;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.server.RaftServer;

/**
 * This node's Raft peer, read at scrape time: {@code ringfleet_raft_role} {role} (1 for the current role, 0 for
 * the others), {@code ringfleet_raft_term}, {@code ringfleet_raft_commit_index}, {@code ringfleet_raft_applied_index}
 * (the state machine's image), {@code ringfleet_raft_leader} (1 while this node leads),
 * {@code ringfleet_raft_leader_changes_total} (a counter: each new leader this peer learnt of; churn shows as a rate
 * above zero). A stopped peer reads NaN.
 */
public final class RaftMetrics {
    private final FleetNode node;

    public RaftMetrics(MeterRegistry registry, FleetNode node) {
        this.node = Objects.requireNonNull(node, "node");
        for (RaftPeerRole role : new RaftPeerRole[] {
            RaftPeerRole.LEADER, RaftPeerRole.FOLLOWER, RaftPeerRole.CANDIDATE, RaftPeerRole.LISTENER
        }) {
            Gauge.builder("ringfleet.raft.role", this, m -> m.is(role))
                    .strongReference(true)
                    .tag("role", role.name().toLowerCase(Locale.ROOT))
                    .description("1 for this peer's current Raft role")
                    .register(registry);
        }
        Gauge.builder("ringfleet.raft.leader", this, m -> m.is(RaftPeerRole.LEADER))
                .strongReference(true)
                .description("1 while this peer is the leader")
                .register(registry);
        FunctionCounter.builder("ringfleet.raft.leader.changes", node.stateMachine(), sm -> sm.leaderChanges())
                .description("times this peer learnt of a new leader since it started (the first counts)")
                .register(registry);
        Gauge.builder("ringfleet.raft.term", this, RaftMetrics::term)
                .strongReference(true)
                .description("current Raft term")
                .register(registry);
        Gauge.builder("ringfleet.raft.commit.index", this, RaftMetrics::commitIndex)
                .strongReference(true)
                .description("last log index this peer knows committed")
                .register(registry);
        Gauge.builder(
                        "ringfleet.raft.applied.index",
                        this,
                        m -> m.node.stateMachine().image().index())
                .strongReference(true)
                .description("last log index folded into this peer's image")
                .register(registry);
    }

    private RaftServer.Division division() {
        try {
            return node.server().getDivision(node.group().getGroupId());
        } catch (Exception e) {
            return null;
        }
    }

    private double is(RaftPeerRole role) {
        RaftServer.Division d = division();
        if (d == null) {
            return Double.NaN;
        }
        return d.getInfo().getCurrentRole() == role ? 1 : 0;
    }

    private double term() {
        RaftServer.Division d = division();
        return d == null ? Double.NaN : d.getInfo().getCurrentTerm();
    }

    private double commitIndex() {
        RaftServer.Division d = division();
        return d == null ? Double.NaN : d.getRaftLog().getLastCommittedIndex();
    }
}
