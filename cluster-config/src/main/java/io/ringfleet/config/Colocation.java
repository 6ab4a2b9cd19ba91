package io.ringfleet.config;

import static io.ringfleet.config.NodeFields.DATA_DIR;
import static io.ringfleet.config.NodeFields.INTERFACE;
import static io.ringfleet.config.NodeFields.METRICS_ADDRESS;
import static io.ringfleet.config.NodeFields.PIN_DIR;
import static io.ringfleet.config.NodeFields.ROOT_SLOT;

import java.util.List;

/**
 * Nodes that look like they share a machine must not share a data dir, a pin dir, a metrics port or an XDP
 * hook: the same raft host (all loopback addresses count as one) in the same network namespace share
 * everything; nodes in two different network namespaces still share the file system.
 */
final class Colocation {
    private final Problems problems;

    Colocation(Problems problems) {
        this.problems = problems;
    }

    /** Two listen addresses collide when the ports match and the hosts match or one is a wildcard. */
    static boolean clash(HostPort a, HostPort b) {
        return a.port() == b.port() && (a.host().equals(b.host()) || a.isWildcard() || b.isWildcard());
    }

    void check(List<ResolvedNode> nodes) {
        List<ResolvedNode> ok = nodes.stream()
                .filter(r -> r.settings() != null && r.peer().config != null)
                .toList();
        for (int i = 0; i < ok.size(); i++) {
            checkAgainstEarlier(ok.get(i), ok.subList(0, i));
        }
        for (ResolvedNode n : ok) {
            metricsApartFromOthersPorts(n, ok);
        }
    }

    /** Each clash of node {@code b} is reported once, against the first earlier node it clashes with. */
    private void checkAgainstEarlier(ResolvedNode b, List<ResolvedNode> earlier) {
        NodeSettings sb = b.settings();
        boolean dataReported = false;
        boolean pinReported = false;
        boolean metricsReported = false;
        boolean xdpReported = false;
        for (ResolvedNode a : earlier) {
            NodeSettings sa = a.settings();
            String shared = sharedPlace(a, b);
            if (shared == null) {
                continue;
            }
            String alike = " like node " + a.peer().id + ", and " + shared;
            if (!dataReported && sa.dataDir().equals(sb.dataDir())) {
                dataReported = true;
                at(
                        b,
                        DATA_DIR,
                        "node " + b.peer().id + " would keep its Raft log in " + sb.dataDir() + alike
                                + "; give each node its own, e.g. " + sb.dataDir() + "/{id}");
            }
            if (!pinReported && sa.pinDir().equals(sb.pinDir())) {
                pinReported = true;
                at(
                        b,
                        PIN_DIR,
                        "node " + b.peer().id + " would pin its maps in " + sb.pinDir() + alike
                                + "; give each node its own, e.g. " + sb.pinDir() + "-{id}");
            }
            if (!metricsReported && sameNetwork(a, b) && clash(sa.metricsAddress(), sb.metricsAddress())) {
                metricsReported = true;
                at(
                        b,
                        METRICS_ADDRESS,
                        "node " + b.peer().id + " would serve metrics at " + sb.metricsAddress() + alike
                                + "; give each node its own port");
            }
            if (!xdpReported && sameNetwork(a, b) && sa.interfaceName().equals(sb.interfaceName())) {
                xdpReported = xdpClash(a, b, alike);
            }
        }
    }

    /** Two nodes on one interface: fine only when both are shared, in different slots (or root arrays). */
    private boolean xdpClash(ResolvedNode a, ResolvedNode b, String alike) {
        NodeSettings sa = a.settings();
        NodeSettings sb = b.settings();
        if (sa.attachMode() == AttachMode.STANDALONE || sb.attachMode() == AttachMode.STANDALONE) {
            at(
                    b,
                    INTERFACE,
                    "node " + b.peer().id + " would attach XDP to " + sb.interfaceName() + alike
                            + "; an interface takes one XDP program, so use different interfaces, or"
                            + " attach-mode: shared with a different root-slot for each node");
            return true;
        }
        if (sa.rootArrayPin().equals(sb.rootArrayPin()) && sa.rootSlot().equals(sb.rootSlot())) {
            at(
                    b,
                    ROOT_SLOT,
                    "node " + b.peer().id + " would take slot " + sb.rootSlot().getAsInt() + " of "
                            + sb.rootArrayPin().get() + alike + "; give each node its own root-slot");
            return true;
        }
        return false;
    }

    /** A node's metrics address against the Raft and API ports of the other nodes of its network. */
    private void metricsApartFromOthersPorts(ResolvedNode n, List<ResolvedNode> ok) {
        for (ResolvedNode other : ok) {
            if (other == n || !sameNetwork(n, other)) {
                continue;
            }
            HostPort m = n.settings().metricsAddress();
            if (clash(m, other.peer().raft) || clash(m, other.peer().api)) {
                at(
                        n,
                        METRICS_ADDRESS,
                        m + " is not allowed (node " + other.peer().id
                                + " on the same host uses that port for Raft or its API); use a free host:port");
                return;
            }
        }
    }

    /** Reports at the value's line when it was written, else at the node's section or its peer entry. */
    private void at(ResolvedNode r, Field<?> field, String message) {
        Picked<?> where = r.pick(field);
        if (where != null && where.set()) {
            problems.error(where.line(), where.path(), message);
        } else if (r.own() != null) {
            problems.error(r.own().line(), r.own().path(), field.name() + ": " + message);
        } else {
            problems.error(r.peer().line, r.peer().path, field.name() + ": " + message);
        }
    }

    private static String sharedPlace(ResolvedNode a, ResolvedNode b) {
        if (sameNetwork(a, b)) {
            String ns = a.settings().netns().map(x -> "network namespace " + x).orElse("the host's network namespace");
            return "both run on " + hostKey(a.peer().raft) + " in " + ns;
        }
        if (a.settings().netns().isPresent() && b.settings().netns().isPresent()) {
            return "both run in network namespaces, which share one file system";
        }
        return null;
    }

    private static boolean sameNetwork(ResolvedNode a, ResolvedNode b) {
        return hostKey(a.peer().raft).equals(hostKey(b.peer().raft))
                && a.settings().netns().equals(b.settings().netns());
    }

    private static String hostKey(HostPort hp) {
        return hp.isLoopback() ? "loopback" : hp.host();
    }
}
