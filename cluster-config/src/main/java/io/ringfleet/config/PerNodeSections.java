package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Mapping;
import io.ringfleet.config.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A section with shared values and {@code <label>.<id>} sections that override them per node ({@code defaults}
 * with {@code nodes}, {@code tls} with {@code tls.nodes}), and the values some nodes lack.
 */
final class PerNodeSections {
    private final FieldReader reader;
    private final List<PeerSlot> peers;
    private final String label;
    private final Map<Field<?>, List<PeerSlot>> missing = new LinkedHashMap<>();

    PerNodeSections(FieldReader reader, List<PeerSlot> peers, String label) {
        this.reader = reader;
        this.peers = peers;
        this.label = label;
    }

    /** Reads the {@code <label>.<id>} sections of {@code e}; keys that are not peer ids are errors. */
    Map<String, Section> read(Entry e, List<String> fields, String what, Map<String, String> elsewhere) {
        Map<String, Section> out = new HashMap<>();
        if (e == null || e.value() instanceof Scalar && ((Scalar) e.value()).kind() == Kind.NULL) {
            return out;
        }
        if (!(e.value() instanceof Mapping)) {
            reader.report(e, label, Values.notAllowed(e.value(), "a mapping from peer id to " + what));
            return out;
        }
        Set<String> knownIds = knownIds();
        boolean idsComplete = peers.stream().allMatch(p -> p.rawId != null);
        for (Entry n : ((Mapping) e.value()).entries().values()) {
            String path = label + "." + n.key();
            if (!knownIds.contains(n.key())) {
                if (idsComplete && !knownIds.isEmpty()) {
                    reader.problems()
                            .error(
                                    n.keyLine(),
                                    path,
                                    "no peer has id " + Values.quote(n.key()) + "; use one of "
                                            + String.join(", ", knownIds));
                }
                continue;
            }
            out.put(n.key(), Section.read(n.value(), n.keyLine(), path, fields, what, elsewhere, reader.problems()));
        }
        return out;
    }

    private Set<String> knownIds() {
        return peers.stream()
                .map(p -> p.rawId)
                .filter(Objects::nonNull)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Notes that neither the shared section nor the node's own gives {@code field}. */
    void missing(Field<?> field, PeerSlot peer) {
        missing.computeIfAbsent(field, k -> new ArrayList<>()).add(peer);
    }

    /**
     * Reports the fields some nodes lack. When every peer lacks one, one error at the shared section says so;
     * otherwise one error per node that lacks it.
     */
    void reportMissing(Section shared, Map<String, Section> own) {
        if (shared.wrongShape()) {
            return; // the section itself is reported; what it lacks follows from that
        }
        long named = peers.stream().filter(p -> p.id != null).count();
        for (Map.Entry<Field<?>, List<PeerSlot>> m : missing.entrySet()) {
            String key = m.getKey().name();
            String allowed = m.getKey().rule();
            if (m.getValue().size() == named) {
                int line = shared.present() ? shared.line() : 1;
                String field = shared.present() ? shared.path() : "";
                reader.problems()
                        .error(
                                line,
                                field,
                                key + " is missing; set " + shared.child(key) + " (or " + key + " in every " + label
                                        + ".<id>) to " + allowed);
                continue;
            }
            for (PeerSlot p : m.getValue()) {
                Section s = own.get(p.id);
                String where = label + "." + p.id + "." + key + " or " + shared.child(key);
                int line = s != null ? s.line() : p.line;
                String path = s != null ? s.path() : p.path;
                reader.problems()
                        .error(line, path, key + " is missing for node " + p.id + "; set " + where + " to " + allowed);
            }
        }
    }
}
