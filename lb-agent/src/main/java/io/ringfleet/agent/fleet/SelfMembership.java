package io.ringfleet.agent.fleet;

import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.api.Membership;
import io.ringfleet.state.raft.FleetClient;
import io.ringfleet.state.raft.FleetClient.Members;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * A node taking itself out of the fleet's Raft configuration and putting itself back ({@code lb-agent
 * --rejoin}), through the leader, with the rules of {@link Membership} (never fewer than
 * {@value Membership#MIN_VOTERS} voters). The peers' addresses and roles are the fleet config's (the group the
 * client was built with). Each call retries until the leader answers with a stable configuration or the
 * deadline passes.
 */
public final class SelfMembership {
    private static final Duration RETRY_SLEEP = Duration.ofMillis(200);

    private final FleetClient client;
    private final RaftGroup configured;
    private final String self;
    private final Duration deadline;

    public SelfMembership(FleetClient client, String self, Duration deadline) {
        this.client = Objects.requireNonNull(client, "client");
        this.configured = client.group();
        this.self = Objects.requireNonNull(self, "self");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        if (configured.getPeer(RaftPeerId.valueOf(self)) == null) {
            throw new IllegalArgumentException(self + " is not a peer of the fleet config " + configured);
        }
    }

    /** Takes this node out if the leader's configuration holds it; returns what was done, for the log. */
    public String leaveIfMember() throws IOException {
        return change(true);
    }

    /** Puts this node back (in its configured role); returns once the leader committed it (it is caught up). */
    public String join() throws IOException {
        return change(false);
    }

    private String change(boolean leave) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        IOException last = null;
        while (System.nanoTime() < end) {
            Members now = client.leaderMembers(RaftPeerId.valueOf(self)).orElse(null);
            if (now == null) {
                last = new IOException("no leader with a stable configuration answered");
            } else if (now.contains(self) == !leave) {
                return self + (leave ? " is not" : " already is") + " in the Raft configuration " + now;
            } else {
                Members next = next(now, leave);
                try {
                    client.setConfiguration(
                            peers(next.voters()), peers(next.listeners()), peers(now.voters()), peers(now.listeners()));
                    return self + (leave ? " left" : " joined") + " the Raft configuration: " + next;
                } catch (IOException e) {
                    last = e; // a change in progress, or the leader moved: read the configuration again
                }
            }
            sleep();
        }
        throw new IOException(
                (leave ? "leaving" : "joining") + " the Raft configuration failed within " + deadline.toSeconds()
                        + " s: " + (last == null ? "no answer" : last.getMessage()),
                last);
    }

    /** The configuration after the change; a change the rules refuse (too few voters) is final, not retried. */
    private Members next(Members now, boolean leave) throws IOException {
        Membership current = new Membership(new TreeSet<>(now.voters()), new TreeSet<>(now.listeners()));
        try {
            Membership next =
                    leave ? current.leaving(self, configuredRoles()) : current.joining(self, configuredRoles());
            return new Members(next.voters(), next.listeners());
        } catch (StatusRuntimeException refused) {
            throw new IOException(refused.getStatus().getDescription(), refused);
        }
    }

    private Map<String, Boolean> configuredRoles() {
        Map<String, Boolean> roles = new TreeMap<>();
        for (RaftPeer p : configured.getPeers()) {
            roles.put(p.getId().toString(), p.getStartupRole() == RaftPeerRole.LISTENER);
        }
        return roles;
    }

    /** The fleet config's peers of these ids, as voters (Ratis takes the role from the list they are in). */
    private List<RaftPeer> peers(Set<String> ids) {
        List<RaftPeer> peers = new ArrayList<>();
        for (String id : ids) {
            RaftPeer p = configured.getPeer(RaftPeerId.valueOf(id));
            if (p == null) {
                throw new IllegalStateException("peer " + id + " of the Raft configuration is not in the fleet config");
            }
            peers.add(p);
        }
        return peers;
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(RETRY_SLEEP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while changing the Raft configuration");
        }
    }
}
