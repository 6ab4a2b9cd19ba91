package io.ringfleet.config;

import static io.ringfleet.config.NodeFields.ATTACH_MODE;
import static io.ringfleet.config.NodeFields.BPFFS;
import static io.ringfleet.config.NodeFields.GATEWAY_MAC;
import static io.ringfleet.config.NodeFields.INTERFACE;
import static io.ringfleet.config.NodeFields.METRICS_ADDRESS;
import static io.ringfleet.config.NodeFields.PIN_DIR;
import static io.ringfleet.config.NodeFields.ROOT_ARRAY_PIN;
import static io.ringfleet.config.NodeFields.ROOT_SLOT;

import io.ringfleet.config.YamlTree.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code defaults} and {@code nodes.<id>}: every node's settings, field by field from its own section, else
 * defaults, else the built-in value, and the rules within one node (shared attach, pins under bpffs, metrics
 * address apart from the node's own ports).
 */
final class NodesSection {
    static final String DEFAULTS = "defaults";
    static final String NODES = "nodes";

    private final FieldReader reader;
    private final Problems problems;

    NodesSection(FieldReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    List<ResolvedNode> read(Section top, List<PeerSlot> peers) {
        Map<String, String> elsewhere = new HashMap<>();
        PeersSection.NAMES.forEach(f -> elsewhere.put(f, "peers"));
        String what = "node settings (" + String.join(", ", NodeFields.NAMES) + ")";
        Entry d = top.entry(DEFAULTS);
        Section defaults = d == null
                ? Section.absent(DEFAULTS, 1)
                : Section.read(d.value(), d.keyLine(), DEFAULTS, NodeFields.NAMES, what, elsewhere, problems);
        PerNodeSections sections = new PerNodeSections(reader, peers, NODES);
        Map<String, Section> own = sections.read(top.entry(NODES), NodeFields.NAMES, what, elsewhere);

        List<ResolvedNode> resolved = new ArrayList<>();
        for (PeerSlot peer : peers) {
            if (peer.id != null) {
                resolved.add(node(peer, defaults, own.get(peer.id), sections));
            }
        }
        sections.reportMissing(defaults, own);
        rootFieldsNeedASharedNode(resolved, defaults);
        return resolved;
    }

    /** root-array-pin and root-slot in defaults are errors when no node is shared. */
    private void rootFieldsNeedASharedNode(List<ResolvedNode> resolved, Section defaults) {
        boolean anyShared = resolved.stream().anyMatch(r -> r.mode() != AttachMode.STANDALONE);
        if (anyShared || resolved.isEmpty()) {
            return;
        }
        for (Field<?> f : List.of(ROOT_ARRAY_PIN, ROOT_SLOT)) {
            Entry e = defaults.entry(f.name());
            if (e != null) {
                problems.error(
                        e.keyLine(),
                        defaults.child(f.name()),
                        "only used with attach-mode: shared, and no"
                                + " node is shared; remove it, or set attach-mode: shared");
            }
        }
    }

    private ResolvedNode node(PeerSlot peer, Section defaults, Section own, PerNodeSections sections) {
        int before = problems.reported();
        Picks picks = Picks.read(reader, NodeFields.ALL, defaults, own, peer.id);
        for (Field<?> required : List.of(INTERFACE, GATEWAY_MAC)) {
            if (picks.get(required) == null) {
                sections.missing(required, peer);
            }
        }
        AttachMode mode = attachRules(picks, peer.id);
        Path mount = picks.isSet(BPFFS) ? picks.get(BPFFS).value() : NodeSettings.DEFAULT_BPFFS;
        if (picks.get(BPFFS) == null || picks.isSet(BPFFS)) {
            pinsUnderBpffs(picks, mount, mode);
        }
        metricsApartFromOwnPorts(picks.get(METRICS_ADDRESS), peer);
        secondChanceHasASource(picks, peer.id);

        boolean complete = picks.get(INTERFACE) != null && picks.get(GATEWAY_MAC) != null;
        if (picks.anyBad() || problems.reported() != before || !complete) {
            return new ResolvedNode(peer, null, mode, picks, own);
        }
        return new ResolvedNode(peer, build(peer.id, picks, mode), mode, picks, own);
    }

    private static NodeSettings build(String id, Picks picks, AttachMode mode) {
        NodeSettings.Builder b = NodeSettings.builder(id);
        NodeFields.SETTERS.forEach(s -> s.applyTo(b, picks));
        if (mode == AttachMode.SHARED) {
            b.shared(picks.get(ROOT_ARRAY_PIN).value(), picks.get(ROOT_SLOT).value());
        }
        return b.build();
    }

    /**
     * A shared node needs a root array pin and slot; a standalone node's own section must not give them (values
     * inherited from defaults are fine: other nodes may be shared). Returns the node's attach mode.
     */
    private AttachMode attachRules(Picks picks, String id) {
        Picked<AttachMode> attach = picks.get(ATTACH_MODE);
        AttachMode mode = attach != null && attach.set() ? attach.value() : NodeSettings.DEFAULT_ATTACH_MODE;
        if (attach != null && attach.set() && mode == AttachMode.SHARED) {
            requireForShared(attach, picks.get(ROOT_ARRAY_PIN), ROOT_ARRAY_PIN, id);
            requireForShared(attach, picks.get(ROOT_SLOT), ROOT_SLOT, id);
        } else if (attach == null || attach.set()) {
            for (Field<?> f : List.of(ROOT_ARRAY_PIN, ROOT_SLOT)) {
                Picked<?> p = picks.get(f);
                if (p != null && p.set() && p.own()) {
                    problems.error(
                            p.line(),
                            p.path(),
                            "only allowed with attach-mode: shared; node " + id
                                    + " is standalone. Remove it, or set attach-mode: shared");
                }
            }
        }
        return mode;
    }

    private void requireForShared(Picked<AttachMode> attach, Picked<?> value, Field<?> field, String id) {
        if (value != null) {
            return; // set, or wrong and already reported
        }
        String key = field.name();
        String where = attach.own()
                ? NODES + "." + id + "." + key + " or " + DEFAULTS + "." + key
                : DEFAULTS + "." + key + " or " + NODES + "." + id + "." + key;
        problems.error(
                attach.line(),
                attach.path(),
                "shared needs " + key + " for node " + id + "; set " + where + " to " + field.rule());
    }

    private void pinsUnderBpffs(Picks picks, Path mount, AttachMode mode) {
        under(
                picks.get(PIN_DIR),
                mount,
                "a directory under the bpffs mount " + mount + ", e.g. "
                        + mount.resolve(NodeSettings.DEFAULT_PIN_SUBDIR));
        if (mode == AttachMode.SHARED) {
            under(picks.get(ROOT_ARRAY_PIN), mount, "a pin path under the bpffs mount " + mount);
        }
    }

    private void under(Picked<Path> p, Path mount, String allowed) {
        if (p == null || !p.set() || Checks.strictlyUnder(p.value(), mount)) {
            return;
        }
        String reason =
                p.value().equals(mount) ? "it is the bpffs mount itself" : "it is not under the bpffs mount " + mount;
        problems.error(
                p.line(),
                p.path(),
                Values.quote(p.value().toString()) + " is not allowed (" + reason + "); use " + allowed
                        + ", or set bpffs to the mount it is under");
    }

    /** Second-chance frames leave with the LB's own address as their outer source: one family at least. */
    private void secondChanceHasASource(Picks picks, String id) {
        Picked<BalancerBuild> balancer = picks.get(NodeFields.BALANCER);
        if (balancer == null || !balancer.set() || balancer.value() != BalancerBuild.SECOND_CHANCE) {
            return;
        }
        if (picks.isSet(NodeFields.HEALTHCHECK_SOURCE_V4) || picks.isSet(NodeFields.HEALTHCHECK_SOURCE_V6)) {
            return;
        }
        problems.error(
                balancer.line(),
                balancer.path(),
                "second-chance needs healthcheck-source-v4 or healthcheck-source-v6 for node " + id
                        + " (the LB's own address: the outer source of its second-chance frames); set one, or use"
                        + " balancer: plain");
    }

    private void metricsApartFromOwnPorts(Picked<HostPort> metrics, PeerSlot peer) {
        if (metrics == null || !metrics.set() || peer.config == null) {
            return;
        }
        String use = Colocation.clash(metrics.value(), peer.raft)
                ? "raft-address"
                : Colocation.clash(metrics.value(), peer.api) ? "api-address" : null;
        if (use != null) {
            problems.error(
                    metrics.line(),
                    metrics.path(),
                    metrics.value() + " is not allowed (node " + peer.id + " uses it as its " + use
                            + "); use a free host:port");
        }
    }
}
