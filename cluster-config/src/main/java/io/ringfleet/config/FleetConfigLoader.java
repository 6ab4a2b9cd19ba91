package io.ringfleet.config;

import io.ringfleet.config.Values.BadValue;
import io.ringfleet.config.Values.Parser;
import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Mapping;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.config.YamlTree.Scalar;
import io.ringfleet.config.YamlTree.Sequence;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads and validates a fleet config file (YAML). Every problem is found in one pass and reported together
 * in one {@link ConfigException}, each as {@code file:line: field: what is wrong; what is allowed}. The
 * format is described in {@code cluster-config/README.md}.
 *
 * <p>Stateless and thread-safe; parsing never touches the network or any file but the one loaded.
 */
public final class FleetConfigLoader {
    static final List<String> TOP_FIELDS = List.of("version", "fleet-id", "peers", "defaults", "nodes", "tls", "limits");
    static final List<String> PEER_FIELDS = List.of("id", "raft-address", "api-address", "role");
    static final List<String> NODE_FIELDS = List.of("interface", "xdp-mode", "attach-mode", "root-array-pin",
            "root-slot", "gateway-mac", "forwarding-cpus", "numa-nodes", "lru-size", "bpffs", "pin-dir", "data-dir",
            "route-hook", "metrics-address", "netns", "healthcheck-source-v4", "healthcheck-source-v6",
            "conn-table");
    static final List<String> TLS_FIELDS = List.of("plaintext", "ca-cert", "node-cert", "node-key", "nodes");
    static final List<String> TLS_NODE_FIELDS = List.of("node-cert", "node-key");
    static final List<String> LIMIT_FIELDS = List.of("max-vips", "max-reals", "ring-size", "maglev");

    private static final String ADDRESS_RULE = "host:port, e.g. 10.0.0.1:9870 or [fd00::1]:9870";
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
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
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

    /** One peer item as far as it could be read. */
    private static final class PeerSlot {
        final int index;
        final int line;
        final String path;
        String rawId;      // null if the id is missing or malformed
        String id;         // null also when the id repeats an earlier peer's
        PeerRole role;
        HostPort raft;
        HostPort api;
        PeerConfig config; // null if any field is wrong

        PeerSlot(int index, int line) {
            this.index = index;
            this.line = line;
            this.path = "peers[" + index + "]";
        }
    }

    /** Where a value was set: the value or its absence, and whether it came from the node's own section. */
    private enum State { SET, CLEARED, BAD }

    private record Picked<T>(T value, State state, int line, String path, boolean own) {
        boolean set() {
            return state == State.SET;
        }
    }

    /** A node's resolution: its settings (null if anything was wrong) and where the settings came from. */
    private record Resolved(PeerSlot peer, NodeSettings settings, AttachMode mode, Map<String, Picked<?>> picks,
                            Section own) {
        Picked<?> pick(String key) {
            return picks.get(key);
        }
    }

    /** The state of one parse. */
    private static final class Run {
        private final Problems problems;

        Run(String file) {
            this.problems = new Problems(file);
        }

        FleetConfig parse(String text) throws ConfigException {
            Node root = YamlTree.read(text, problems);
            if (root == null && problems.hasErrors()) {
                throw new ConfigException(problems.errors()); // a syntax error leaves nothing to check
            }
            if (root == null) {
                problems.error(1, "", "the file is empty; it needs " + FLEET_HINT);
                throw new ConfigException(problems.errors());
            }
            if (!(root instanceof Mapping)) {
                problems.error(root.line(), "", Values.describe(root)
                        + " is not allowed at the top level; use a mapping with " + FLEET_HINT);
                throw new ConfigException(problems.errors());
            }
            Map<String, String> topElsewhere = new HashMap<>();
            NODE_FIELDS.forEach(f -> topElsewhere.put(f, "defaults or nodes.<id>"));
            PEER_FIELDS.stream().filter(f -> !f.equals("id"))
                    .forEach(f -> topElsewhere.put(f, "each item of peers"));
            Section top = Section.read(root, 1, "", TOP_FIELDS, "fleet settings", topElsewhere, problems);

            version(top);
            String fleetId = fleetId(top);
            List<PeerSlot> peers = peers(top);
            List<Resolved> nodes = nodes(top, peers);
            TlsConfig tls = tls(top, peers);
            Limits limits = limits(top);
            colocation(nodes);

            if (problems.hasErrors()) {
                throw new ConfigException(problems.errors());
            }
            Map<String, NodeSettings> settings = new LinkedHashMap<>();
            for (Resolved r : nodes) {
                settings.put(r.peer().id, r.settings());
            }
            List<PeerConfig> peerConfigs = peers.stream().map(p -> p.config).collect(Collectors.toList());
            return new FleetConfig(problems.file(), fleetId, peerConfigs, settings, tls, limits, problems.warnings());
        }

        // ---------------------------------------------------------------- top level

        private void version(Section top) {
            Entry e = top.entry("version");
            if (e != null) {
                value(e, "version", n -> {
                    if (n instanceof Scalar && ((Scalar) n).kind() == Kind.INTEGER
                            && ((Scalar) n).text().equals(String.valueOf(FleetConfig.FORMAT_VERSION))) {
                        return FleetConfig.FORMAT_VERSION;
                    }
                    throw Values.notAllowed(n, FleetConfig.FORMAT_VERSION + " (the only format version this"
                            + " loader reads), or leave version out");
                });
            }
        }

        private String fleetId(Section top) {
            Entry e = top.entry("fleet-id");
            if (e == null) {
                problems.error(1, "", "fleet-id is missing; use " + PeerConfig.ID_RULE);
                return null;
            }
            return value(e, "fleet-id", n -> id(n));
        }

        private String id(Node n) throws BadValue {
            String text = Values.text(n, PeerConfig.ID_RULE);
            if (!PeerConfig.ID_PATTERN.matcher(text).matches()) {
                throw Values.notAllowed(n, PeerConfig.ID_RULE);
            }
            return text;
        }

        // ---------------------------------------------------------------- peers

        private List<PeerSlot> peers(Section top) {
            List<PeerSlot> slots = new ArrayList<>();
            Entry e = top.entry("peers");
            String shape = "a list of peers, each with id, raft-address, api-address and role";
            if (e == null) {
                problems.error(1, "", "peers is missing; use " + shape);
                return slots;
            }
            if (!(e.value() instanceof Sequence)) {
                report(e, "peers", Values.notAllowed(e.value(), shape));
                return slots;
            }
            Sequence list = (Sequence) e.value();
            if (list.items().isEmpty()) {
                problems.error(e.keyLine(), "peers", "an empty list is not allowed; list at least one voter");
                return slots;
            }
            Map<String, PeerSlot> byId = new HashMap<>();
            Map<HostPort, String> addresses = new HashMap<>();
            Map<String, String> elsewhere = new HashMap<>();
            NODE_FIELDS.forEach(f -> elsewhere.put(f, "defaults or nodes.<id>, not in peers"));
            for (int i = 0; i < list.items().size(); i++) {
                Node item = list.items().get(i);
                PeerSlot slot = new PeerSlot(i, item.line());
                slots.add(slot);
                Section s = Section.read(item, item.line(), slot.path, PEER_FIELDS,
                        "peer fields (id, raft-address, api-address, role)", elsewhere, problems);
                slot.id = required(s, "id", this::id, PeerConfig.ID_RULE);
                slot.rawId = slot.id;
                if (slot.id != null) {
                    PeerSlot first = byId.putIfAbsent(slot.id, slot);
                    if (first != null) {
                        problems.error(s.entry("id").value().line(), s.child("id"), Values.quote(slot.id)
                                + " is already the id of " + first.path + " (line " + first.line
                                + "); give every peer its own id");
                        slot.id = null;
                    }
                }
                slot.raft = address(s, "raft-address", addresses);
                slot.api = address(s, "api-address", addresses);
                slot.role = required(s, "role", n -> Values.choice(n, PeerRole.class), "voter or listener");
                if (slot.id != null && slot.raft != null && slot.api != null && slot.role != null) {
                    slot.config = new PeerConfig(slot.id, slot.role, slot.raft, slot.api);
                }
            }
            boolean rolesKnown = slots.stream().allMatch(p -> p.role != null);
            long voters = slots.stream().filter(p -> p.role == PeerRole.VOTER).count();
            if (rolesKnown && voters == 0) {
                problems.error(e.keyLine(), "peers", "no peer has role voter; make at least one peer a voter"
                        + " (3 or 5 voters survive node failures)");
            }
            if (voters >= 2 && voters % 2 == 0) {
                long tolerated = (voters - 1) / 2;
                problems.warn(e.keyLine(), "peers", voters + " voters survive only " + tolerated
                        + (tolerated == 1 ? " failure" : " failures") + ", as " + (voters - 1)
                        + " would; use an odd number of voters (3 or 5) and make the rest listeners");
            } else if (voters > 7) {
                problems.warn(e.keyLine(), "peers", voters + " voters make every commit wait for "
                        + (voters / 2 + 1) + " of them; use 3 or 5 voters and make the rest listeners");
            }
            return slots;
        }

        private HostPort address(Section s, String key, Map<HostPort, String> used) {
            HostPort address = required(s, key, n -> peerAddress(n), ADDRESS_RULE);
            if (address == null) {
                return null;
            }
            Entry e = s.entry(key);
            String here = s.child(key);
            String previous = used.putIfAbsent(address, here + " (line " + e.value().line() + ")");
            if (previous != null) {
                problems.error(e.value().line(), here, address + " is already used by " + previous
                        + "; every raft-address and api-address must be unique");
                return null;
            }
            return address;
        }

        private HostPort peerAddress(Node n) throws BadValue {
            HostPort hp = hostPort(n);
            if (hp.isWildcard()) {
                throw Values.notAllowed(n, "other nodes cannot connect to a wildcard address",
                        "the address other nodes reach this node at, " + ADDRESS_RULE);
            }
            return hp;
        }

        private static HostPort hostPort(Node n) throws BadValue {
            String text = Values.text(n, ADDRESS_RULE);
            try {
                return HostPort.parse(text);
            } catch (IllegalArgumentException ex) {
                throw Values.notAllowed(n, ex.getMessage(), ADDRESS_RULE);
            }
        }

        // ---------------------------------------------------------------- node settings

        private List<Resolved> nodes(Section top, List<PeerSlot> peers) {
            Map<String, String> nodeElsewhere = new HashMap<>();
            PEER_FIELDS.forEach(f -> nodeElsewhere.put(f, "peers"));
            String what = "node settings (" + String.join(", ", NODE_FIELDS) + ")";
            Entry d = top.entry("defaults");
            Section defaults = d == null ? Section.absent("defaults", 1)
                    : Section.read(d.value(), d.keyLine(), "defaults", NODE_FIELDS, what, nodeElsewhere, problems);

            Set<String> knownIds = peers.stream().map(p -> p.rawId).filter(Objects::nonNull)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            Map<String, Section> own = perNodeSections(top.entry("nodes"), "nodes", knownIds, peers,
                    NODE_FIELDS, what, nodeElsewhere);

            List<Resolved> resolved = new ArrayList<>();
            Map<String, List<PeerSlot>> missing = new LinkedHashMap<>();
            for (PeerSlot peer : peers) {
                if (peer.id != null) {
                    resolved.add(node(peer, defaults, own.get(peer.id), missing));
                }
            }
            reportMissing(missing, peers, defaults, own, "nodes");
            boolean anyShared = resolved.stream().anyMatch(r -> r.mode() != AttachMode.STANDALONE);
            if (!anyShared && !resolved.isEmpty()) {
                for (String key : List.of("root-array-pin", "root-slot")) {
                    Entry e = defaults.entry(key);
                    if (e != null) {
                        problems.error(e.keyLine(), defaults.child(key), "only used with attach-mode: shared, and no"
                                + " node is shared; remove it, or set attach-mode: shared");
                    }
                }
            }
            return resolved;
        }

        /** Reads {@code <label>.<id>} sections; keys that are not peer ids are errors. */
        private Map<String, Section> perNodeSections(Entry e, String label, Set<String> knownIds, List<PeerSlot> peers,
                                                     List<String> fields, String what, Map<String, String> elsewhere) {
            Map<String, Section> out = new HashMap<>();
            if (e == null || e.value() instanceof Scalar && ((Scalar) e.value()).kind() == Kind.NULL) {
                return out;
            }
            if (!(e.value() instanceof Mapping)) {
                report(e, label, Values.notAllowed(e.value(), "a mapping from peer id to " + what));
                return out;
            }
            boolean idsComplete = peers.stream().allMatch(p -> p.rawId != null);
            for (Entry n : ((Mapping) e.value()).entries().values()) {
                String path = label + "." + n.key();
                if (!knownIds.contains(n.key())) {
                    if (idsComplete && !knownIds.isEmpty()) {
                        problems.error(n.keyLine(), path, "no peer has id " + Values.quote(n.key()) + "; use one of "
                                + String.join(", ", knownIds));
                    }
                    continue;
                }
                out.put(n.key(), Section.read(n.value(), n.keyLine(), path, fields, what, elsewhere, problems));
            }
            return out;
        }

        private Resolved node(PeerSlot peer, Section defaults, Section own, Map<String, List<PeerSlot>> missing) {
            String id = peer.id;
            int before = problems.reported();

            Picked<String> ifname = pick("interface", defaults, own, false,
                    templated(id, Checks.INTERFACE_RULE, Checks::interfaceName));
            Picked<XdpMode> xdp = pick("xdp-mode", defaults, own, false, n -> Values.choice(n, XdpMode.class));
            Picked<AttachMode> attach = pick("attach-mode", defaults, own, false,
                    n -> Values.choice(n, AttachMode.class));
            Picked<Path> rootPin = pick("root-array-pin", defaults, own, false, path(id));
            Picked<Integer> rootSlot = pick("root-slot", defaults, own, false,
                    n -> Values.integer(n, 0, NodeSettings.ROOT_ARRAY_SLOTS - 1));
            Picked<MacAddress> mac = pick("gateway-mac", defaults, own, false, FleetConfigLoader::gatewayMac);
            Picked<IdList> cpus = pick("forwarding-cpus", defaults, own, true,
                    n -> Values.idList(n, IdList.MAX_CPU, "CPU"));
            Picked<IdList> numa = pick("numa-nodes", defaults, own, true,
                    n -> Values.idList(n, IdList.MAX_NUMA_NODE, "NUMA node"));
            Picked<Integer> lru = pick("lru-size", defaults, own, false,
                    n -> Values.integer(n, NodeSettings.MIN_LRU_SIZE, NodeSettings.MAX_LRU_SIZE));
            Picked<Path> bpffs = pick("bpffs", defaults, own, false, path(id));
            Picked<Path> pinDir = pick("pin-dir", defaults, own, false, path(id));
            Picked<Path> dataDir = pick("data-dir", defaults, own, false, path(id));
            Picked<Path> hook = pick("route-hook", defaults, own, true, path(id));
            Picked<HostPort> metrics = pick("metrics-address", defaults, own, false, Run::hostPort);
            Picked<String> netns = pick("netns", defaults, own, true, templated(id, Checks.NETNS_RULE, Checks::netns));
            Picked<Inet4Address> sourceV4 = pick("healthcheck-source-v4", defaults, own, true,
                    FleetConfigLoader::sourceV4);
            Picked<Inet6Address> sourceV6 = pick("healthcheck-source-v6", defaults, own, true,
                    FleetConfigLoader::sourceV6);
            Picked<ConnTable> connTable = pick("conn-table", defaults, own, false,
                    n -> Values.choice(n, ConnTable.class));

            if (ifname == null) {
                missing.computeIfAbsent("interface", k -> new ArrayList<>()).add(peer);
            }
            if (mac == null) {
                missing.computeIfAbsent("gateway-mac", k -> new ArrayList<>()).add(peer);
            }

            AttachMode mode = attach != null && attach.set() ? attach.value() : NodeSettings.DEFAULT_ATTACH_MODE;
            if (attach != null && attach.set() && mode == AttachMode.SHARED) {
                requireForShared(attach, rootPin, "root-array-pin", "the pin path of xdp_root's program array", id);
                requireForShared(attach, rootSlot, "root-slot",
                        "a slot from 0 to " + (NodeSettings.ROOT_ARRAY_SLOTS - 1), id);
            } else if (attach == null || attach.set()) {
                // Values inherited from defaults are fine (other nodes may be shared); the node's own are not.
                for (Picked<?> p : Arrays.asList(rootPin, rootSlot)) {
                    if (p != null && p.set() && p.own()) {
                        problems.error(p.line(), p.path(), "only allowed with attach-mode: shared; node " + id
                                + " is standalone. Remove it, or set attach-mode: shared");
                    }
                }
            }

            Path mount = bpffs != null && bpffs.set() ? bpffs.value() : NodeSettings.DEFAULT_BPFFS;
            boolean mountKnown = bpffs == null || bpffs.set();
            if (mountKnown) {
                under(pinDir, mount, "a directory under the bpffs mount " + mount + ", e.g. "
                        + mount.resolve(NodeSettings.DEFAULT_PIN_SUBDIR));
                if (mode == AttachMode.SHARED) {
                    under(rootPin, mount, "a pin path under the bpffs mount " + mount);
                }
            }

            if (metrics != null && metrics.set() && peer.config != null) {
                if (clash(metrics.value(), peer.raft)) {
                    problems.error(metrics.line(), metrics.path(), metrics.value() + " is not allowed (node " + id
                            + " uses it as its raft-address); use a free host:port");
                } else if (clash(metrics.value(), peer.api)) {
                    problems.error(metrics.line(), metrics.path(), metrics.value() + " is not allowed (node " + id
                            + " uses it as its api-address); use a free host:port");
                }
            }

            Map<String, Picked<?>> picks = new HashMap<>();
            List<Picked<?>> all = Arrays.asList(ifname, xdp, attach, rootPin, rootSlot, mac, cpus, numa,
                    lru, bpffs, pinDir, dataDir, hook, metrics, netns, sourceV4, sourceV6, connTable);
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i) != null) {
                    picks.put(NODE_FIELDS.get(i), all.get(i));
                }
            }
            boolean bad = all.stream().anyMatch(p -> p != null && p.state() == State.BAD);
            if (bad || problems.reported() != before || ifname == null || mac == null) {
                return new Resolved(peer, null, mode, picks, own);
            }
            NodeSettings.Builder b = NodeSettings.builder(id).interfaceName(ifname.value()).gatewayMac(mac.value());
            if (xdp != null) {
                b.xdpMode(xdp.value());
            }
            if (mode == AttachMode.SHARED) {
                b.shared(rootPin.value(), rootSlot.value());
            }
            if (cpus != null && cpus.set()) {
                b.forwardingCpus(cpus.value());
            }
            if (numa != null && numa.set()) {
                b.numaNodes(numa.value());
            }
            if (lru != null) {
                b.lruSize(lru.value());
            }
            b.bpffs(mount);
            if (pinDir != null) {
                b.pinDir(pinDir.value());
            }
            if (dataDir != null) {
                b.dataDir(dataDir.value());
            }
            if (hook != null && hook.set()) {
                b.routeHook(hook.value());
            }
            if (metrics != null) {
                b.metricsAddress(metrics.value());
            }
            if (netns != null && netns.set()) {
                b.netns(netns.value());
            }
            if (sourceV4 != null && sourceV4.set()) {
                b.healthCheckSourceV4(sourceV4.value());
            }
            if (sourceV6 != null && sourceV6.set()) {
                b.healthCheckSourceV6(sourceV6.value());
            }
            if (connTable != null) {
                b.connTable(connTable.value());
            }
            return new Resolved(peer, b.build(), mode, picks, own);
        }

        private void requireForShared(Picked<AttachMode> attach, Picked<?> value, String key, String allowed, String id) {
            if (value != null) {
                return; // set, or wrong and already reported
            }
            String where = attach.own() ? "nodes." + id + "." + key + " or defaults." + key
                    : "defaults." + key + " or nodes." + id + "." + key;
            problems.error(attach.line(), attach.path(), "shared needs " + key + " for node " + id + "; set " + where
                    + " to " + allowed);
        }

        private void under(Picked<Path> p, Path mount, String allowed) {
            if (p == null || !p.set() || Checks.strictlyUnder(p.value(), mount)) {
                return;
            }
            String reason = p.value().equals(mount) ? "it is the bpffs mount itself"
                    : "it is not under the bpffs mount " + mount;
            problems.error(p.line(), p.path(), Values.quote(p.value().toString()) + " is not allowed (" + reason
                    + "); use " + allowed + ", or set bpffs to the mount it is under");
        }

        /** Two listen addresses collide when the ports match and the hosts match or one is a wildcard. */
        private static boolean clash(HostPort a, HostPort b) {
            return a.port() == b.port() && (a.host().equals(b.host()) || a.isWildcard() || b.isWildcard());
        }

        // ---------------------------------------------------------------- TLS

        private TlsConfig tls(Section top, List<PeerSlot> peers) {
            Entry e = top.entry("tls");
            String options = "ca-cert, node-cert and node-key, or plaintext: true to run without TLS (test networks only)";
            if (e == null) {
                problems.error(1, "", "tls is missing; give tls." + options);
                return null;
            }
            Section tls = Section.read(e.value(), e.keyLine(), "tls", TLS_FIELDS, "TLS settings (" + options + ")",
                    Map.of(), problems);
            if (tls.entries().isEmpty()) {
                if (e.value() instanceof Mapping || e.value() instanceof Scalar && ((Scalar) e.value()).kind() == Kind.NULL) {
                    problems.error(e.keyLine(), "tls", "is empty; give " + options);
                }
                return null;
            }
            Boolean plaintext = tls.has("plaintext") ? value(tls.entry("plaintext"), "tls.plaintext", Values::bool) : null;
            if (plaintext == null && tls.has("plaintext")) {
                return null;
            }
            if (Boolean.TRUE.equals(plaintext)) {
                for (Entry other : tls.entries().values()) {
                    if (!other.key().equals("plaintext") && TLS_FIELDS.contains(other.key())) {
                        problems.error(other.keyLine(), tls.child(other.key()), "not allowed with plaintext: true;"
                                + " remove it, or remove plaintext: true to use TLS");
                    }
                }
                problems.warn(tls.entry("plaintext").value().line(), "tls.plaintext", "true: Raft and API traffic"
                        + " is neither encrypted nor authenticated; use this only on test networks");
                return TlsConfig.plaintext();
            }
            Path ca = required(tls, "ca-cert", path(null), "the CA certificate's path, " + Checks.PATH_RULE);
            Set<String> knownIds = peers.stream().map(p -> p.rawId).filter(Objects::nonNull)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            String what = "TLS files (node-cert, node-key)";
            Map<String, Section> own = perNodeSections(tls.entry("nodes"), "tls.nodes", knownIds, peers,
                    TLS_NODE_FIELDS, what, Map.of());
            Map<String, TlsCredentials> creds = new LinkedHashMap<>();
            Map<String, List<PeerSlot>> missing = new LinkedHashMap<>();
            for (PeerSlot peer : peers) {
                if (peer.id == null) {
                    continue;
                }
                Picked<Path> cert = pick("node-cert", tls, own.get(peer.id), false, path(peer.id));
                Picked<Path> key = pick("node-key", tls, own.get(peer.id), false, path(peer.id));
                if (cert == null) {
                    missing.computeIfAbsent("node-cert", k -> new ArrayList<>()).add(peer);
                }
                if (key == null) {
                    missing.computeIfAbsent("node-key", k -> new ArrayList<>()).add(peer);
                }
                if (cert != null && key != null && cert.set() && key.set()) {
                    if (cert.value().equals(key.value())) {
                        problems.error(key.line(), key.path(), "is the same file as node-cert for node " + peer.id
                                + "; use a separate file for the private key");
                    } else {
                        creds.put(peer.id, new TlsCredentials(cert.value(), key.value()));
                    }
                }
            }
            reportMissing(missing, peers, tls, own, "tls.nodes");
            return ca == null || problems.hasErrors() ? null : TlsConfig.mutual(ca, creds);
        }

        // ---------------------------------------------------------------- limits

        private Limits limits(Section top) {
            Entry e = top.entry("limits");
            if (e == null) {
                return Limits.DEFAULTS;
            }
            Section s = Section.read(e.value(), e.keyLine(), "limits", LIMIT_FIELDS, "limits ("
                    + String.join(", ", LIMIT_FIELDS) + ")", Map.of(), problems);
            Integer vips = optional(s, "max-vips", n -> Values.integer(n, 1, Limits.MAX_VIPS), Limits.DEFAULT_MAX_VIPS);
            Integer reals = optional(s, "max-reals", n -> Values.integer(n, 1, Limits.MAX_REALS),
                    Limits.DEFAULT_MAX_REALS);
            Integer ring = optional(s, "ring-size", Run::ringSize, Limits.DEFAULT_RING_SIZE);
            MaglevVariant maglev = optional(s, "maglev", n -> Values.choice(n, MaglevVariant.class),
                    Limits.DEFAULT_MAGLEV);
            if (vips == null || reals == null || ring == null || maglev == null) {
                return null;
            }
            if ((long) vips * ring > Limits.MAX_RING_SLOTS) {
                Entry at = s.has("ring-size") ? s.entry("ring-size") : s.entry("max-vips");
                int line = at == null ? s.line() : at.keyLine();
                problems.error(line, "limits", "max-vips x ring-size = " + vips + " x " + ring + " = "
                        + (long) vips * ring + " ring slots is not allowed; the ring map holds at most "
                        + Limits.MAX_RING_SLOTS + ", so lower max-vips or ring-size");
                return null;
            }
            return new Limits(vips, reals, ring, maglev);
        }

        private static int ringSize(Node n) throws BadValue {
            String allowed = "a prime from " + Limits.MIN_RING_SIZE + " to " + Limits.MAX_RING_SIZE
                    + " (Katran's default is 65537)";
            int v = Values.integer(n, Limits.MIN_RING_SIZE, Limits.MAX_RING_SIZE);
            if (!Limits.isPrime(v)) {
                long below = v - 1;
                while (below >= Limits.MIN_RING_SIZE && !Limits.isPrime(below)) {
                    below--;
                }
                long above = v + 1;
                while (!Limits.isPrime(above)) {
                    above++;
                }
                String nearest = below >= Limits.MIN_RING_SIZE && above <= Limits.MAX_RING_SIZE
                        ? below + " or " + above : below >= Limits.MIN_RING_SIZE ? String.valueOf(below)
                        : String.valueOf(above);
                throw Values.notAllowed(n, "it is not a prime; the nearest primes are " + nearest, allowed);
            }
            return v;
        }

        // ---------------------------------------------------------------- cross-node checks

        /**
         * Nodes that look like they share a machine must not share a data dir, a pin dir or a metrics port:
         * the same raft host (all loopback addresses count as one) in the same network namespace share
         * everything; nodes in two different network namespaces still share the file system.
         */
        private void colocation(List<Resolved> nodes) {
            List<Resolved> ok = nodes.stream().filter(r -> r.settings() != null && r.peer().config != null)
                    .collect(Collectors.toList());
            for (int i = 0; i < ok.size(); i++) {
                Resolved b = ok.get(i);
                NodeSettings sb = b.settings();
                boolean dataReported = false;
                boolean pinReported = false;
                boolean metricsReported = false;
                boolean xdpReported = false;
                for (int j = 0; j < i; j++) {
                    Resolved a = ok.get(j);
                    NodeSettings sa = a.settings();
                    String shared = sharedPlace(a, b);
                    if (shared == null) {
                        continue;
                    }
                    if (!dataReported && sa.dataDir().equals(sb.dataDir())) {
                        dataReported = true;
                        at(b, b.pick("data-dir"), "data-dir", "node " + b.peer().id + " would keep its Raft log in "
                                + sb.dataDir() + " like node " + a.peer().id + ", and " + shared
                                + "; give each node its own, e.g. " + sb.dataDir() + "/{id}");
                    }
                    if (!pinReported && sa.pinDir().equals(sb.pinDir())) {
                        pinReported = true;
                        at(b, b.pick("pin-dir"), "pin-dir", "node " + b.peer().id + " would pin its maps in " + sb.pinDir()
                                + " like node " + a.peer().id + ", and " + shared + "; give each node its own, e.g. "
                                + sb.pinDir() + "-{id}");
                    }
                    if (!metricsReported && sameNetwork(a, b) && clash(sa.metricsAddress(), sb.metricsAddress())) {
                        metricsReported = true;
                        at(b, b.pick("metrics-address"), "metrics-address", "node " + b.peer().id
                                + " would serve metrics at " + sb.metricsAddress() + " like node " + a.peer().id
                                + ", and " + shared + "; give each node its own port");
                    }
                    if (!xdpReported && sameNetwork(a, b) && sa.interfaceName().equals(sb.interfaceName())) {
                        if (sa.attachMode() == AttachMode.STANDALONE || sb.attachMode() == AttachMode.STANDALONE) {
                            xdpReported = true;
                            at(b, b.pick("interface"), "interface", "node " + b.peer().id + " would attach XDP to "
                                    + sb.interfaceName() + " like node " + a.peer().id + ", and " + shared
                                    + "; an interface takes one XDP program, so use different interfaces, or"
                                    + " attach-mode: shared with a different root-slot for each node");
                        } else if (sa.rootArrayPin().equals(sb.rootArrayPin()) && sa.rootSlot().equals(sb.rootSlot())) {
                            xdpReported = true;
                            at(b, b.pick("root-slot"), "root-slot", "node " + b.peer().id + " would take slot "
                                    + sb.rootSlot().getAsInt() + " of " + sb.rootArrayPin().get() + " like node "
                                    + a.peer().id + ", and " + shared + "; give each node its own root-slot");
                        }
                    }
                }
            }
            // A node's metrics address against the Raft and API ports of the other nodes of its network.
            for (Resolved n : ok) {
                for (Resolved other : ok) {
                    if (other == n || !sameNetwork(n, other)) {
                        continue;
                    }
                    HostPort m = n.settings().metricsAddress();
                    if (clash(m, other.peer().raft) || clash(m, other.peer().api)) {
                        at(n, n.pick("metrics-address"), "metrics-address", m + " is not allowed (node " + other.peer().id
                                + " on the same host uses that port for Raft or its API); use a free host:port");
                        break;
                    }
                }
            }
        }

        /** Reports at the value's line when it was written, else at the node's section or its peer entry. */
        private void at(Resolved r, Picked<?> where, String key, String message) {
            if (where != null && where.set()) {
                problems.error(where.line(), where.path(), message);
            } else if (r.own() != null) {
                problems.error(r.own().line(), r.own().path(), key + ": " + message);
            } else {
                problems.error(r.peer().line, r.peer().path, key + ": " + message);
            }
        }

        private static String sharedPlace(Resolved a, Resolved b) {
            if (sameNetwork(a, b)) {
                String ns = a.settings().netns().map(x -> "network namespace " + x).orElse("the host's network namespace");
                return "both run on " + hostKey(a.peer().raft) + " in " + ns;
            }
            if (a.settings().netns().isPresent() && b.settings().netns().isPresent()) {
                return "both run in network namespaces, which share one file system";
            }
            return null;
        }

        private static boolean sameNetwork(Resolved a, Resolved b) {
            return hostKey(a.peer().raft).equals(hostKey(b.peer().raft))
                    && a.settings().netns().equals(b.settings().netns());
        }

        private static String hostKey(HostPort hp) {
            return hp.isLoopback() ? "loopback" : hp.host();
        }

        // ---------------------------------------------------------------- missing values

        /**
         * Reports settings no node or default gives. When every peer lacks one, one error says so; otherwise
         * one error per node that lacks it.
         */
        private void reportMissing(Map<String, List<PeerSlot>> missing, List<PeerSlot> peers, Section defaults,
                                   Map<String, Section> own, String ownLabel) {
            if (defaults.wrongShape()) {
                return; // the section itself is reported; what it lacks follows from that
            }
            long named = peers.stream().filter(p -> p.id != null).count();
            for (Map.Entry<String, List<PeerSlot>> m : missing.entrySet()) {
                String key = m.getKey();
                String allowed = allowedFor(key);
                if (m.getValue().size() == named) {
                    int line = defaults.present() ? defaults.line() : 1;
                    String field = defaults.present() ? defaults.path() : "";
                    problems.error(line, field, key + " is missing; set " + defaults.child(key)
                            + " (or " + key + " in every " + ownLabel + ".<id>) to " + allowed);
                    continue;
                }
                for (PeerSlot p : m.getValue()) {
                    Section s = own.get(p.id);
                    String where = ownLabel + "." + p.id + "." + key + " or " + defaults.child(key);
                    if (s != null) {
                        problems.error(s.line(), s.path(), key + " is missing for node " + p.id + "; set " + where
                                + " to " + allowed);
                    } else {
                        problems.error(p.line, p.path, key + " is missing for node " + p.id + "; set " + where
                                + " to " + allowed);
                    }
                }
            }
        }

        private static String allowedFor(String key) {
            switch (key) {
                case "interface": return Checks.INTERFACE_RULE;
                case "gateway-mac": return "the gateway's unicast MAC, e.g. \"0a:1b:2c:3d:4e:5f\"";
                default: return "the PEM file's path, " + Checks.PATH_RULE + " ({id} becomes the node id)";
            }
        }

        // ---------------------------------------------------------------- value plumbing

        /** A setting from the node's own section if there, else from defaults; both are checked. */
        private <T> Picked<T> pick(String key, Section defaults, Section own, boolean clearable, Parser<T> parser) {
            Picked<T> fromDefaults = defaults.has(key) ? one(defaults, key, clearable, parser, false) : null;
            Picked<T> fromOwn = own != null && own.has(key) ? one(own, key, clearable, parser, true) : null;
            return fromOwn != null ? fromOwn : fromDefaults;
        }

        private <T> Picked<T> one(Section s, String key, boolean clearable, Parser<T> parser, boolean own) {
            Entry e = s.entry(key);
            String path = s.child(key);
            Node n = e.value();
            int line = n instanceof Scalar ? n.line() : e.keyLine();
            if (clearable && n instanceof Scalar && ((Scalar) n).kind() == Kind.NULL) {
                return new Picked<>(null, State.CLEARED, line, path, own);
            }
            try {
                return new Picked<>(parser.parse(n), State.SET, line, path, own);
            } catch (BadValue bad) {
                if (bad.getMessage() != null) {
                    problems.error(line, path, bad.getMessage());
                }
                return new Picked<>(null, State.BAD, line, path, own);
            }
        }

        private <T> T required(Section s, String key, Parser<T> parser, String allowed) {
            Entry e = s.entry(key);
            if (e == null) {
                if (!s.wrongShape()) {
                    problems.error(s.line(), s.path(), key + " is missing; use " + allowed);
                }
                return null;
            }
            return value(e, s.child(key), parser);
        }

        private <T> T optional(Section s, String key, Parser<T> parser, T fallback) {
            Entry e = s.entry(key);
            return e == null ? fallback : value(e, s.child(key), parser);
        }

        private <T> T value(Entry e, String path, Parser<T> parser) {
            try {
                return parser.parse(e.value());
            } catch (BadValue bad) {
                report(e, path, bad);
                return null;
            }
        }

        private void report(Entry e, String path, BadValue bad) {
            if (bad.getMessage() != null) {
                problems.error(e.value() instanceof Scalar ? e.value().line() : e.keyLine(), path, bad.getMessage());
            }
        }

        /** A string setting in which {@code {id}} becomes the node id before {@code check} runs. */
        private static Parser<String> templated(String id, String allowed, Function<String, String> check) {
            return n -> {
                String raw = Values.text(n, allowed);
                String value = id == null ? raw : raw.replace("{id}", id);
                String reason = check.apply(value);
                if (reason == null) {
                    return value;
                }
                if (!value.equals(raw)) {
                    throw new BadValue(Values.quote(raw) + " becomes " + Values.quote(value) + " for node " + id
                            + ", which is not allowed (" + reason + "); use " + allowed);
                }
                throw Values.notAllowed(n, reason, allowed);
            };
        }

        private static Parser<Path> path(String id) {
            Parser<String> text = templated(id, Checks.PATH_RULE, Checks::absolutePath);
            return n -> Path.of(text.parse(n));
        }
    }

    private static Inet4Address sourceV4(Node n) throws BadValue {
        String text = Values.text(n, Checks.SOURCE_V4_RULE);
        if (HostPort.Ip.ipv4(text) == null) {
            throw Values.notAllowed(n, HostPort.Ip.ipv6(text) != null
                    ? "it is an IPv6 address; put it in healthcheck-source-v6" : "it is not an IPv4 address",
                    Checks.SOURCE_V4_RULE);
        }
        return (Inet4Address) unicastSource(n, text, Checks.SOURCE_V4_RULE);
    }

    private static Inet6Address sourceV6(Node n) throws BadValue {
        String text = Values.text(n, Checks.SOURCE_V6_RULE);
        String canonical = HostPort.Ip.ipv6(text);
        if (canonical == null) {
            throw Values.notAllowed(n, HostPort.Ip.ipv4(text) != null
                    ? "it is an IPv4 address; put it in healthcheck-source-v4" : "it is not an IPv6 address",
                    Checks.SOURCE_V6_RULE);
        }
        InetAddress address = unicastSource(n, canonical, Checks.SOURCE_V6_RULE);
        if (!(address instanceof Inet6Address)) {
            throw Values.notAllowed(n, "it is an IPv4-mapped address; put the IPv4 address in healthcheck-source-v4",
                    Checks.SOURCE_V6_RULE);
        }
        return (Inet6Address) address;
    }

    /** {@code literal} has been checked to be an IP literal, so this never looks a name up. */
    private static InetAddress unicastSource(Node n, String literal, String rule) throws BadValue {
        InetAddress address;
        try {
            address = InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw Values.notAllowed(n, "it is not an IP address", rule);
        }
        String reason = Checks.unicastSource(address);
        if (reason != null) {
            throw Values.notAllowed(n, reason, rule);
        }
        return address;
    }

    private static MacAddress gatewayMac(Node n) throws BadValue {
        String allowed = "the gateway's unicast MAC, e.g. \"0a:1b:2c:3d:4e:5f\"";
        String text = Values.text(n, allowed);
        MacAddress mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw Values.notAllowed(n, e.getMessage(), allowed);
        }
        if (mac.isZero()) {
            throw Values.notAllowed(n, "it is all zeros", allowed);
        }
        if (mac.isMulticast()) {
            throw Values.notAllowed(n, "it is a multicast address", allowed);
        }
        return mac;
    }
}
