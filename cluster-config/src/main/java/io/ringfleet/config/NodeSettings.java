package io.ringfleet.config;

import io.ringfleet.state.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything one LB host needs to know about itself: where its XDP program goes, which CPUs forward, where
 * it keeps state and how it announces routes. In the file these come from {@code defaults} merged with the
 * node's own section under {@code nodes}; {@link FleetConfig#node(String)} returns the merged result.
 *
 * <p>Immutable; build with {@link #builder(String)}, which checks every value and says what is allowed.
 */
public final class NodeSettings {
    /** Built-in default XDP mode. */
    public static final XdpMode DEFAULT_XDP_MODE = XdpMode.DRIVER;

    public static final ConnTable DEFAULT_CONN_TABLE = ConnTable.PER_CPU;
    public static final BalancerBuild DEFAULT_BALANCER = BalancerBuild.PLAIN;
    /** Built-in default attach mode. */
    public static final AttachMode DEFAULT_ATTACH_MODE = AttachMode.STANDALONE;
    /** Built-in default per-CPU connection-table entries. */
    public static final int DEFAULT_LRU_SIZE = 1_000_000;

    public static final int MIN_LRU_SIZE = 1024;
    public static final int MAX_LRU_SIZE = 64 * 1024 * 1024;
    /** Slots of the xdp_root program array (Katran's root array has 3); a shared node takes one of them. */
    public static final int ROOT_ARRAY_SLOTS = 4; // RF_ROOT_SLOTS in bpf/src/main/c/include/rf_abi.h
    /** Built-in default bpffs mount. */
    public static final Path DEFAULT_BPFFS = Path.of("/sys/fs/bpf");
    /** Name of the default pin directory inside the bpffs mount. */
    public static final String DEFAULT_PIN_SUBDIR = "ringfleet";
    /** Built-in default data directory (Raft log, snapshots). */
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/ringfleet");
    /** Built-in default metrics and health HTTP address. */
    public static final HostPort DEFAULT_METRICS_ADDRESS = new HostPort("127.0.0.1", 9180);

    private final String nodeId;
    private final String interfaceName;
    private final XdpMode xdpMode;
    private final AttachMode attachMode;
    private final Path rootArrayPin;
    private final Integer rootSlot;
    private final MacAddress gatewayMac;
    private final IdList forwardingCpus;
    private final IdList numaNodes;
    private final int lruSize;
    private final Path bpffs;
    private final Path pinDir;
    private final Path dataDir;
    private final Path routeHook;
    private final Path birdSocket;
    private final HostPort metricsAddress;
    private final String netns;
    private final Inet4Address healthCheckSourceV4;
    private final Inet6Address healthCheckSourceV6;
    private final ConnTable connTable;
    private final BalancerBuild balancer;

    private NodeSettings(Builder b) {
        this.nodeId = b.nodeId;
        this.interfaceName = b.interfaceName;
        this.xdpMode = b.xdpMode;
        this.attachMode = b.attachMode;
        this.rootArrayPin = b.rootArrayPin;
        this.rootSlot = b.rootSlot;
        this.gatewayMac = b.gatewayMac;
        this.forwardingCpus = b.forwardingCpus;
        this.numaNodes = b.numaNodes;
        this.lruSize = b.lruSize;
        this.bpffs = b.bpffs;
        this.pinDir = b.pinDir != null ? b.pinDir : b.bpffs.resolve(DEFAULT_PIN_SUBDIR);
        this.dataDir = b.dataDir;
        this.routeHook = b.routeHook;
        this.birdSocket = b.birdSocket;
        this.metricsAddress = b.metricsAddress;
        this.netns = b.netns;
        this.healthCheckSourceV4 = b.healthCheckSourceV4;
        this.healthCheckSourceV6 = b.healthCheckSourceV6;
        this.connTable = b.connTable;
        this.balancer = b.balancer;
    }

    /** A builder for the node with this peer id; {@code interfaceName} and {@code gatewayMac} are required. */
    public static Builder builder(String nodeId) {
        return new Builder(nodeId);
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(nodeId);
        b.interfaceName = interfaceName;
        b.xdpMode = xdpMode;
        b.attachMode = attachMode;
        b.rootArrayPin = rootArrayPin;
        b.rootSlot = rootSlot;
        b.gatewayMac = gatewayMac;
        b.forwardingCpus = forwardingCpus;
        b.numaNodes = numaNodes;
        b.lruSize = lruSize;
        b.bpffs = bpffs;
        b.pinDir = pinDir;
        b.dataDir = dataDir;
        b.routeHook = routeHook;
        b.birdSocket = birdSocket;
        b.metricsAddress = metricsAddress;
        b.netns = netns;
        b.healthCheckSourceV4 = healthCheckSourceV4;
        b.healthCheckSourceV6 = healthCheckSourceV6;
        b.connTable = connTable;
        b.balancer = balancer;
        return b;
    }

    /** The peer id these settings belong to. */
    public String nodeId() {
        return nodeId;
    }

    /** The interface the balancer's XDP program serves. */
    public String interfaceName() {
        return interfaceName;
    }

    public XdpMode xdpMode() {
        return xdpMode;
    }

    public AttachMode attachMode() {
        return attachMode;
    }

    /** Pin path of xdp_root's program array; present exactly when {@link #attachMode()} is shared. */
    public Optional<Path> rootArrayPin() {
        return Optional.ofNullable(rootArrayPin);
    }

    /** Slot in xdp_root's program array, 0 to {@value #ROOT_ARRAY_SLOTS} - 1; present exactly when shared. */
    public OptionalInt rootSlot() {
        return rootSlot == null ? OptionalInt.empty() : OptionalInt.of(rootSlot);
    }

    /** The next hop every forwarded (IPIP-encapsulated) frame is sent to. */
    public MacAddress gatewayMac() {
        return gatewayMac;
    }

    /** CPUs that forward packets; empty means every online CPU. */
    public IdList forwardingCpus() {
        return forwardingCpus;
    }

    /** NUMA nodes whose memory the maps should use; empty means no preference. */
    public IdList numaNodes() {
        return numaNodes;
    }

    /** Entries of each CPU's connection table (LRU). */
    public int lruSize() {
        return lruSize;
    }

    /** The bpffs mount the pins live under. */
    public Path bpffs() {
        return bpffs;
    }

    /** Where this node's programs and maps are pinned; strictly under {@link #bpffs()}. */
    public Path pinDir() {
        return pinDir;
    }

    /** Where the Raft log and snapshots are kept. */
    public Path dataDir() {
        return dataDir;
    }

    /** Command run as {@code hook announce|withdraw VIP...}; empty means routes are not announced. */
    public Optional<Path> routeHook() {
        return Optional.ofNullable(routeHook);
    }

    /**
     * The control socket of the host's BIRD (the BGP speaker the route hook drives): the agent reads its BGP and
     * BFD session state from it for status and metrics, and {@code lbctl doctor} checks it answers. Empty: no
     * speaker state is read.
     */
    public Optional<Path> birdSocket() {
        return Optional.ofNullable(birdSocket);
    }

    /** Where the metrics and health HTTP endpoint listens. */
    public HostPort metricsAddress() {
        return metricsAddress;
    }

    /** The network namespace the agent runs in (a name or an absolute path); empty means the host's. */
    public Optional<String> netns() {
        return Optional.ofNullable(netns);
    }

    /** Outer source of health checks encapsulated towards IPv4 reals; empty: none (they are dropped). */
    public Optional<Inet4Address> healthCheckSourceV4() {
        return Optional.ofNullable(healthCheckSourceV4);
    }

    /** Outer source of health checks encapsulated towards IPv6 reals; empty: none (they are dropped). */
    public Optional<Inet6Address> healthCheckSourceV6() {
        return Optional.ofNullable(healthCheckSourceV6);
    }

    /** Per-CPU connection tables (the default) or one shared table. */
    public ConnTable connTable() {
        return connTable;
    }

    /** Which balancer build the agent loads: plain (default) or second-chance. */
    public BalancerBuild balancer() {
        return balancer;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NodeSettings)) {
            return false;
        }
        NodeSettings n = (NodeSettings) o;
        return nodeId.equals(n.nodeId)
                && interfaceName.equals(n.interfaceName)
                && xdpMode == n.xdpMode
                && attachMode == n.attachMode
                && Objects.equals(rootArrayPin, n.rootArrayPin)
                && Objects.equals(rootSlot, n.rootSlot)
                && gatewayMac.equals(n.gatewayMac)
                && forwardingCpus.equals(n.forwardingCpus)
                && numaNodes.equals(n.numaNodes)
                && lruSize == n.lruSize
                && bpffs.equals(n.bpffs)
                && pinDir.equals(n.pinDir)
                && dataDir.equals(n.dataDir)
                && Objects.equals(routeHook, n.routeHook)
                && Objects.equals(birdSocket, n.birdSocket)
                && metricsAddress.equals(n.metricsAddress)
                && Objects.equals(netns, n.netns)
                && Objects.equals(healthCheckSourceV4, n.healthCheckSourceV4)
                && Objects.equals(healthCheckSourceV6, n.healthCheckSourceV6)
                && connTable == n.connTable
                && balancer == n.balancer;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                nodeId,
                interfaceName,
                xdpMode,
                attachMode,
                rootArrayPin,
                rootSlot,
                gatewayMac,
                forwardingCpus,
                numaNodes,
                lruSize,
                bpffs,
                pinDir,
                dataDir,
                routeHook,
                birdSocket,
                metricsAddress,
                netns,
                healthCheckSourceV4,
                healthCheckSourceV6,
                connTable,
                balancer);
    }

    @Override
    public String toString() {
        return "NodeSettings[nodeId=" + nodeId + ", interface=" + interfaceName + ", xdpMode=" + xdpMode
                + ", attachMode=" + attachMode
                + (rootArrayPin == null ? "" : ", rootArrayPin=" + rootArrayPin + ", rootSlot=" + rootSlot)
                + ", gatewayMac=" + gatewayMac + ", forwardingCpus=" + forwardingCpus + ", numaNodes=" + numaNodes
                + ", lruSize=" + lruSize + ", bpffs=" + bpffs + ", pinDir=" + pinDir + ", dataDir=" + dataDir
                + ", routeHook=" + routeHook + ", birdSocket=" + birdSocket + ", metricsAddress=" + metricsAddress
                + ", netns=" + netns
                + ", healthCheckSourceV4=" + address(healthCheckSourceV4) + ", healthCheckSourceV6="
                + address(healthCheckSourceV6) + ", connTable=" + connTable + ", balancer="
                + balancer + "]";
    }

    private static String address(InetAddress a) {
        return a == null ? "none" : a.getHostAddress();
    }

    /** Builds {@link NodeSettings}; every setter checks its argument, {@link #build()} checks the whole. */
    public static final class Builder {
        private final String nodeId;
        private String interfaceName;
        private XdpMode xdpMode = DEFAULT_XDP_MODE;
        private AttachMode attachMode = DEFAULT_ATTACH_MODE;
        private Path rootArrayPin;
        private Integer rootSlot;
        private MacAddress gatewayMac;
        private IdList forwardingCpus = IdList.EMPTY;
        private IdList numaNodes = IdList.EMPTY;
        private int lruSize = DEFAULT_LRU_SIZE;
        private Path bpffs = DEFAULT_BPFFS;
        private Path pinDir;
        private Path dataDir = DEFAULT_DATA_DIR;
        private Path routeHook;
        private Path birdSocket;
        private HostPort metricsAddress = DEFAULT_METRICS_ADDRESS;
        private String netns;
        private Inet4Address healthCheckSourceV4;
        private Inet6Address healthCheckSourceV6;
        private ConnTable connTable = DEFAULT_CONN_TABLE;
        private BalancerBuild balancer = DEFAULT_BALANCER;

        private Builder(String nodeId) {
            Objects.requireNonNull(nodeId, "nodeId must not be null; use the peer's id");
            if (!PeerConfig.ID_PATTERN.matcher(nodeId).matches()) {
                throw new IllegalArgumentException(
                        "nodeId \"" + nodeId + "\" is not allowed; use " + PeerConfig.ID_RULE);
            }
            this.nodeId = nodeId;
        }

        public Builder interfaceName(String name) {
            Objects.requireNonNull(name, "interfaceName must not be null; use " + Checks.INTERFACE_RULE);
            String reason = Checks.interfaceName(name);
            if (reason != null) {
                throw new IllegalArgumentException(
                        "interfaceName \"" + name + "\" is not allowed (" + reason + "); use " + Checks.INTERFACE_RULE);
            }
            this.interfaceName = name;
            return this;
        }

        public Builder xdpMode(XdpMode mode) {
            this.xdpMode = Objects.requireNonNull(mode, "xdpMode must not be null; use DRIVER or GENERIC");
            return this;
        }

        /** Standalone; clears any root array pin and slot. */
        public Builder standalone() {
            this.attachMode = AttachMode.STANDALONE;
            this.rootArrayPin = null;
            this.rootSlot = null;
            return this;
        }

        /** Shared: the balancer goes into {@code slot} of the xdp_root program array pinned at {@code rootArrayPin}. */
        public Builder shared(Path rootArrayPin, int slot) {
            this.rootArrayPin = absolute("rootArrayPin", rootArrayPin);
            if (slot < 0 || slot >= ROOT_ARRAY_SLOTS) {
                throw new IllegalArgumentException(
                        "rootSlot must be from 0 to " + (ROOT_ARRAY_SLOTS - 1) + ", got " + slot);
            }
            this.rootSlot = slot;
            this.attachMode = AttachMode.SHARED;
            return this;
        }

        public Builder gatewayMac(MacAddress mac) {
            Objects.requireNonNull(mac, "gatewayMac must not be null; use the gateway's unicast MAC");
            if (mac.isMulticast() || mac.isZero()) {
                throw new IllegalArgumentException(
                        "gatewayMac " + mac + " is not allowed; use the gateway's unicast MAC"
                                + " (not all-zero, lowest bit of the first octet clear)");
            }
            this.gatewayMac = mac;
            return this;
        }

        /** Forwarding CPUs; {@link IdList#EMPTY} means every online CPU. */
        public Builder forwardingCpus(IdList cpus) {
            this.forwardingCpus =
                    Objects.requireNonNull(cpus, "forwardingCpus must not be null; use IdList.EMPTY for all CPUs");
            return this;
        }

        /** NUMA nodes; {@link IdList#EMPTY} means no preference. */
        public Builder numaNodes(IdList nodes) {
            this.numaNodes = Objects.requireNonNull(nodes, "numaNodes must not be null; use IdList.EMPTY for any");
            return this;
        }

        public Builder lruSize(int entriesPerCpu) {
            if (entriesPerCpu < MIN_LRU_SIZE || entriesPerCpu > MAX_LRU_SIZE) {
                throw new IllegalArgumentException("lruSize must be from " + MIN_LRU_SIZE + " to " + MAX_LRU_SIZE
                        + " entries per CPU, got " + entriesPerCpu);
            }
            this.lruSize = entriesPerCpu;
            return this;
        }

        /** The bpffs mount; the pin dir (and the root array pin) must be below it. */
        public Builder bpffs(Path mount) {
            this.bpffs = absolute("bpffs", mount);
            return this;
        }

        /** Pin directory; when not set, {@code <bpffs>/ringfleet}. */
        public Builder pinDir(Path dir) {
            this.pinDir = absolute("pinDir", dir);
            return this;
        }

        public Builder dataDir(Path dir) {
            this.dataDir = absolute("dataDir", dir);
            return this;
        }

        /** Route-announcement command; {@code null} for none. */
        public Builder routeHook(Path command) {
            this.routeHook = command == null ? null : absolute("routeHook", command);
            return this;
        }

        /** The host's BIRD control socket; {@code null} for none. */
        public Builder birdSocket(Path socket) {
            this.birdSocket = socket == null ? null : absolute("birdSocket", socket);
            return this;
        }

        public Builder metricsAddress(HostPort address) {
            this.metricsAddress = Objects.requireNonNull(address, "metricsAddress must not be null; use host:port");
            return this;
        }

        /** Network namespace to run in; {@code null} for the host's. */
        public Builder netns(String namespace) {
            if (namespace != null) {
                String reason = Checks.netns(namespace);
                if (reason != null) {
                    throw new IllegalArgumentException(
                            "netns \"" + namespace + "\" is not allowed (" + reason + "); use " + Checks.NETNS_RULE);
                }
            }
            this.netns = namespace;
            return this;
        }

        public Builder balancer(BalancerBuild build) {
            this.balancer = Objects.requireNonNull(build, "balancer must not be null; use plain or second-chance");
            return this;
        }

        public Builder connTable(ConnTable table) {
            this.connTable = Objects.requireNonNull(table, "connTable must not be null; use per-cpu or shared");
            return this;
        }

        /** Outer source of health checks towards IPv4 reals; {@code null} for none. */
        public Builder healthCheckSourceV4(Inet4Address source) {
            this.healthCheckSourceV4 =
                    source == null ? null : unicast("healthCheckSourceV4", source, Checks.SOURCE_V4_RULE);
            return this;
        }

        /** Outer source of health checks towards IPv6 reals; {@code null} for none. */
        public Builder healthCheckSourceV6(Inet6Address source) {
            if (source != null && source.getScopeId() != 0) {
                throw new IllegalArgumentException("healthCheckSourceV6 " + source.getHostAddress() + " is not allowed"
                        + " (it has a zone); use " + Checks.SOURCE_V6_RULE);
            }
            this.healthCheckSourceV6 =
                    source == null ? null : unicast("healthCheckSourceV6", source, Checks.SOURCE_V6_RULE);
            return this;
        }

        private static <A extends InetAddress> A unicast(String what, A source, String rule) {
            String reason = Checks.unicastSource(source);
            if (reason != null) {
                throw new IllegalArgumentException(
                        what + " " + source.getHostAddress() + " is not allowed (" + reason + "); use " + rule);
            }
            return source;
        }

        /**
         * The settings.
         *
         * @throws IllegalStateException when the interface or gateway MAC is missing, or a pin path is not
         *     below the bpffs mount
         */
        public NodeSettings build() {
            if (interfaceName == null) {
                throw new IllegalStateException("interfaceName is required; use " + Checks.INTERFACE_RULE);
            }
            if (gatewayMac == null) {
                throw new IllegalStateException("gatewayMac is required; use the gateway's unicast MAC");
            }
            if (pinDir != null && !Checks.strictlyUnder(pinDir, bpffs)) {
                throw new IllegalStateException(
                        "pinDir " + pinDir + " must be a directory under the bpffs mount " + bpffs);
            }
            if (rootArrayPin != null && !Checks.strictlyUnder(rootArrayPin, bpffs)) {
                throw new IllegalStateException(
                        "rootArrayPin " + rootArrayPin + " must be under the bpffs mount " + bpffs);
            }
            return new NodeSettings(this);
        }

        private static Path absolute(String what, Path path) {
            Objects.requireNonNull(path, what + " must not be null; use " + Checks.PATH_RULE);
            String reason = Checks.absolutePath(path.toString());
            if (reason != null) {
                throw new IllegalArgumentException(
                        what + " " + path + " is not allowed (" + reason + "); use " + Checks.PATH_RULE);
            }
            return path;
        }
    }
}
