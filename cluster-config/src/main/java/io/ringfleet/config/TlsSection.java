package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Mapping;
import io.ringfleet.config.YamlTree.Scalar;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code tls} section: mutual TLS (CA, each node's certificate and key), or {@code plaintext: true} alone. */
final class TlsSection {
    static final String KEY = "tls";
    private static final String PEM_RULE = "the PEM file's path, " + Checks.PATH_RULE + " ({id} becomes the node id)";

    static final Field<Boolean> PLAINTEXT = Field.of("plaintext", "true or false", Values::bool);
    static final Field<Path> CA_CERT =
            Field.perNode("ca-cert", "the CA certificate's path, " + Checks.PATH_RULE, FieldParsers::path);
    static final Field<Path> NODE_CERT = Field.perNode("node-cert", PEM_RULE, FieldParsers::path);
    static final Field<Path> NODE_KEY = Field.perNode("node-key", PEM_RULE, FieldParsers::path);
    /** {@code tls.nodes}: per-node certificate and key, read as sections of {@link #NODE_FIELDS}. */
    static final String NODES = "nodes";

    static final List<String> NAMES =
            List.of(PLAINTEXT.name(), CA_CERT.name(), NODE_CERT.name(), NODE_KEY.name(), NODES);
    static final List<Field<?>> NODE_FIELDS = List.of(NODE_CERT, NODE_KEY);

    private static final String OPTIONS =
            "ca-cert, node-cert and node-key, or plaintext: true to run without TLS" + " (test networks only)";

    private final FieldReader reader;
    private final Problems problems;

    TlsSection(FieldReader reader) {
        this.reader = reader;
        this.problems = reader.problems();
    }

    /** The TLS settings, or null when anything is wrong (reported). */
    TlsConfig read(Section top, List<PeerSlot> peers) {
        Entry e = top.entry(KEY);
        if (e == null) {
            problems.error(1, "", "tls is missing; give tls." + OPTIONS);
            return null;
        }
        Section tls =
                Section.read(e.value(), e.keyLine(), KEY, NAMES, "TLS settings (" + OPTIONS + ")", Map.of(), problems);
        if (tls.entries().isEmpty()) {
            if (e.value() instanceof Mapping
                    || e.value() instanceof Scalar && ((Scalar) e.value()).kind() == Kind.NULL) {
                problems.error(e.keyLine(), KEY, "is empty; give " + OPTIONS);
            }
            return null;
        }
        Boolean plaintext = reader.optional(tls, PLAINTEXT, false);
        if (plaintext == null) {
            return null;
        }
        return plaintext ? plaintext(tls) : mutual(tls, peers);
    }

    private TlsConfig plaintext(Section tls) {
        for (Entry other : tls.entries().values()) {
            if (!other.key().equals(PLAINTEXT.name()) && NAMES.contains(other.key())) {
                problems.error(
                        other.keyLine(),
                        tls.child(other.key()),
                        "not allowed with plaintext: true;" + " remove it, or remove plaintext: true to use TLS");
            }
        }
        problems.warn(
                tls.entry(PLAINTEXT.name()).value().line(),
                tls.child(PLAINTEXT.name()),
                "true: Raft and API"
                        + " traffic is neither encrypted nor authenticated; use this only on test networks");
        return TlsConfig.plaintext();
    }

    private TlsConfig mutual(Section tls, List<PeerSlot> peers) {
        Path ca = reader.required(tls, CA_CERT);
        PerNodeSections sections = new PerNodeSections(reader, peers, KEY + "." + NODES);
        Map<String, Section> own =
                sections.read(tls.entry(NODES), Field.names(NODE_FIELDS), "TLS files (node-cert, node-key)", Map.of());
        Map<String, TlsCredentials> creds = new LinkedHashMap<>();
        for (PeerSlot peer : peers) {
            if (peer.id == null) {
                continue;
            }
            Picks picks = Picks.read(reader, NODE_FIELDS, tls, own.get(peer.id), peer.id);
            Picked<Path> cert = picks.get(NODE_CERT);
            Picked<Path> key = picks.get(NODE_KEY);
            for (Field<Path> f : List.of(NODE_CERT, NODE_KEY)) {
                if (picks.get(f) == null) {
                    sections.missing(f, peer);
                }
            }
            if (cert == null || key == null || !cert.set() || !key.set()) {
                continue;
            }
            if (cert.value().equals(key.value())) {
                problems.error(
                        key.line(),
                        key.path(),
                        "is the same file as node-cert for node " + peer.id
                                + "; use a separate file for the private key");
            } else {
                creds.put(peer.id, new TlsCredentials(cert.value(), key.value()));
            }
        }
        sections.reportMissing(tls, own);
        return ca == null || problems.hasErrors() ? null : TlsConfig.mutual(ca, creds);
    }
}
