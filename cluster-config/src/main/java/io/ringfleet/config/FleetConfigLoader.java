package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Mapping;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.config.YamlTree.Scalar;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.raft.RaftTimings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reads and validates a fleet config file (YAML). Every problem is found in one pass and reported together
 * in one {@link ConfigException}, each as {@code file:line: field: what is wrong; what is allowed}. The
 * format is described in {@code cluster-config/README.md}.
 *
 * <p>Stateless and thread-safe; parsing never touches the network or any file but the one loaded.
 */
public final class FleetConfigLoader {
    private static final String VERSION = "version";
    private static final Field<String> FLEET_ID = Field.of("fleet-id", PeerConfig.ID_RULE, FieldParsers::id);
    /** The top-level keys; each section's own keys are declared by its class. */
    static final List<String> TOP_FIELDS = List.of(
            VERSION,
            FLEET_ID.name(),
            PeersSection.KEY,
            NodesSection.DEFAULTS,
            NodesSection.NODES,
            TlsSection.KEY,
            LimitsSection.KEY,
            RaftSection.KEY);

    private static final String FLEET_HINT = "fleet-id, peers and tls (see cluster-config/README.md)";

    private FleetConfigLoader() {}

    /**
     * Loads the file at {@code file}; messages name it as given (e.g. {@code fleet.yaml:14: ...}).
     *
     * @throws ConfigException listing every problem, or saying why the file cannot be read
     */
    public static FleetConfig load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file must not be null; use the path of a fleet config file");
        String name = file.toString();
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (NoSuchFileException e) {
            throw single(name, "cannot read the file: it does not exist");
        } catch (CharacterCodingException e) {
            throw single(name, "cannot read the file: it is not UTF-8 text");
        } catch (IOException e) {
            throw single(name, "cannot read the file: " + e);
        }
        return parse(text, name);
    }

    /**
     * Parses config text; {@code fileName} is only used in messages.
     *
     * @throws ConfigException listing every problem
     */
    public static FleetConfig parse(String text, String fileName) throws ConfigException {
        Objects.requireNonNull(text, "text must not be null; use the file's contents");
        Objects.requireNonNull(fileName, "fileName must not be null; use the name to show in messages");
        return new Run(fileName).parse(text);
    }

    private static ConfigException single(String file, String message) {
        return new ConfigException(List.of(new ConfigProblem(file, 0, "", message)));
    }

    /** The state of one parse: every section is read, so that every problem is reported at once. */
    private static final class Run {
        private final Problems problems;
        private final FieldReader reader;

        Run(String file) {
            this.problems = new Problems(file);
            this.reader = new FieldReader(problems);
        }

        FleetConfig parse(String text) throws ConfigException {
            Section top = top(YamlTree.read(text, problems));
            version(top);
            String fleetId = fleetId(top);
            List<PeerSlot> peers = new PeersSection(reader).read(top);
            List<ResolvedNode> nodes = new NodesSection(reader).read(top, peers);
            TlsConfig tls = new TlsSection(reader).read(top, peers);
            FleetLimits limits = new LimitsSection(reader).read(top);
            RaftTimings raft = new RaftSection(reader).read(top);
            new Colocation(problems).check(nodes);

            if (problems.hasErrors()) {
                throw new ConfigException(problems.errors());
            }
            Map<String, NodeSettings> settings = new LinkedHashMap<>();
            for (ResolvedNode r : nodes) {
                settings.put(r.peer().id, r.settings());
            }
            List<PeerConfig> peerConfigs = peers.stream().map(p -> p.config).collect(Collectors.toList());
            return new FleetConfig(
                    problems.file(), fleetId, peerConfigs, settings, tls, limits, raft, problems.warnings());
        }

        /** The top-level mapping; a file that is not one leaves nothing to check. */
        private Section top(Node root) throws ConfigException {
            if (root == null && problems.hasErrors()) {
                throw new ConfigException(problems.errors()); // a syntax error leaves nothing to check
            }
            if (root == null) {
                problems.error(1, "", "the file is empty; it needs " + FLEET_HINT);
                throw new ConfigException(problems.errors());
            }
            if (!(root instanceof Mapping)) {
                problems.error(
                        root.line(),
                        "",
                        Values.describe(root) + " is not allowed at the top level; use a mapping with " + FLEET_HINT);
                throw new ConfigException(problems.errors());
            }
            Map<String, String> elsewhere = new HashMap<>();
            NodeFields.NAMES.forEach(f -> elsewhere.put(f, "defaults or nodes.<id>"));
            PeersSection.NAMES.stream()
                    .filter(f -> !f.equals(PeersSection.ID.name()))
                    .forEach(f -> elsewhere.put(f, "each item of peers"));
            return Section.read(root, 1, "", TOP_FIELDS, "fleet settings", elsewhere, problems);
        }

        private void version(Section top) {
            Entry e = top.entry(VERSION);
            if (e != null) {
                reader.value(e, VERSION, n -> {
                    if (n instanceof Scalar
                            && ((Scalar) n).kind() == Kind.INTEGER
                            && ((Scalar) n).text().equals(String.valueOf(FleetConfig.FORMAT_VERSION))) {
                        return FleetConfig.FORMAT_VERSION;
                    }
                    throw Values.notAllowed(
                            n,
                            FleetConfig.FORMAT_VERSION + " (the only format version this"
                                    + " loader reads), or leave version out");
                });
            }
        }

        private String fleetId(Section top) {
            if (!top.has(FLEET_ID.name())) {
                problems.error(1, "", FLEET_ID.name() + " is missing; use " + FLEET_ID.rule());
                return null;
            }
            return reader.optional(top, FLEET_ID, null);
        }
    }
}
