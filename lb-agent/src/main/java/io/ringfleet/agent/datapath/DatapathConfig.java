package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.MapNames;
import io.ringfleet.config.ConnTable;
import io.ringfleet.config.NodeSettings;
import io.ringfleet.state.FleetLimits;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How to open the balancer (and the health-check forwarder): variant, map sizes, connection tables and where
 * the maps and programs are pinned. Immutable; build with {@link #builder()} or take a node's with
 * {@link #forNode}.
 */
public final class DatapathConfig {
    /** Slots per VIP ring: RF_RING_SIZE, compiled into the balancer (the flow hash is taken modulo it). */
    public static final int RING_SIZE = FleetLimits.RING_SIZE;
    /** conn_lru_maps slots (RF_MAX_CPUS): CPUs at or above this use the fallback table. */
    public static final int MAX_CONN_TABLE_CPUS = 128;

    public static final int DEFAULT_MAX_QUIC_IDS = 65536;
    public static final int DEFAULT_MAX_DOWN_REALS = 4096;
    public static final int DEFAULT_MAX_HEALTH_CHECK_DSTS = 4096;

    private final BalancerVariant variant;
    private final int maxVips;
    private final int maxReals;
    private final int maxQuicIds;
    private final int maxDownReals;
    private final int maxHealthCheckDsts;
    private final boolean perCpuConnTables;
    private final int lruSizePerCpu;
    private final List<Integer> connTableCpus;
    private final Path pinDir;
    private final boolean healthCheck;
    private final Inet4Address healthCheckSourceV4;
    private final Inet6Address healthCheckSourceV6;

    private DatapathConfig(Builder b) {
        this.variant = b.variant;
        this.maxVips = b.maxVips;
        this.maxReals = b.maxReals;
        this.maxQuicIds = b.maxQuicIds;
        this.maxDownReals = b.maxDownReals;
        this.maxHealthCheckDsts = b.maxHealthCheckDsts;
        this.perCpuConnTables = b.perCpuConnTables;
        this.lruSizePerCpu = b.lruSizePerCpu;
        this.connTableCpus = List.copyOf(b.connTableCpus);
        this.pinDir = b.pinDir;
        this.healthCheck = b.healthCheck;
        this.healthCheckSourceV4 = b.healthCheckSourceV4;
        this.healthCheckSourceV6 = b.healthCheckSourceV6;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A node's datapath: sizes from the fleet limits, the node's LRU size, forwarding CPUs, pin dir and
     * health-check source addresses.
     *
     * @throws IllegalArgumentException when the limits ask for a ring size the balancer was not built with
     */
    public static DatapathConfig forNode(NodeSettings node, FleetLimits limits) {
        Builder b = builder()
                .maxVips(limits.maxVips())
                .maxReals(limits.maxReals())
                .ringSize(limits.ringSize())
                .pinDir(node.pinDir())
                .healthCheckSources(
                        node.healthCheckSourceV4().orElse(null),
                        node.healthCheckSourceV6().orElse(null));
        b.variant(BalancerVariant.of(node.balancer()));
        if (node.connTable() == ConnTable.SHARED) {
            b.fallbackConnTableOnly();
        } else {
            b.perCpuConnTables(node.lruSize(), node.forwardingCpus().ids());
        }
        return b.build();
    }

    public BalancerVariant variant() {
        return variant;
    }

    /** Rows of the ring map, entries of vip_map and vip_stats: vip_num is 0 .. maxVips-1. */
    public int maxVips() {
        return maxVips;
    }

    /** Entries of reals and real_stats: real indexes are 1 .. maxReals-1. */
    public int maxReals() {
        return maxReals;
    }

    public int maxQuicIds() {
        return maxQuicIds;
    }

    public int maxDownReals() {
        return maxDownReals;
    }

    public int maxHealthCheckDsts() {
        return maxHealthCheckDsts;
    }

    /** vip_addrs holds one entry per VIP address; twice maxVips so an address swap never fills it mid-change. */
    public int maxVipAddresses() {
        return 2 * maxVips;
    }

    /** False: every CPU uses conn_fallback (Katran's test mode, which its fixtures assume). */
    public boolean perCpuConnTables() {
        return perCpuConnTables;
    }

    /** Flows one CPU's connection table should hold. */
    public int lruSizePerCpu() {
        return lruSizePerCpu;
    }

    /** CPUs that get their own connection table; empty means every possible CPU (below {@value #MAX_CONN_TABLE_CPUS}). */
    public List<Integer> connTableCpus() {
        return connTableCpus;
    }

    /** Where maps and programs are pinned (a bpffs directory); empty: nothing is pinned and nothing is reused. */
    public Optional<Path> pinDir() {
        return Optional.ofNullable(pinDir);
    }

    /** Whether the tc health-check forwarder is loaded too. */
    public boolean healthCheck() {
        return healthCheck;
    }

    /** Outer source of health checks towards IPv4 reals (hc_ctl.src_v4); empty: none, they are dropped. */
    public Optional<Inet4Address> healthCheckSourceV4() {
        return Optional.ofNullable(healthCheckSourceV4);
    }

    /** Outer source of health checks towards IPv6 reals (hc_ctl.src_v6); empty: none, they are dropped. */
    public Optional<Inet6Address> healthCheckSourceV6() {
        return Optional.ofNullable(healthCheckSourceV6);
    }

    /** max_entries of the balancer's maps, set before load. */
    Map<String, Integer> balancerMapSizes() {
        Map<String, Integer> m = new TreeMap<>();
        m.put(MapNames.VIP_MAP, maxVips);
        m.put(MapNames.VIP_ADDRS, maxVipAddresses());
        m.put(MapNames.VIP_STATS, maxVips);
        m.put(MapNames.CH_RINGS, maxVips * RING_SIZE);
        if (variant.secondChance()) {
            m.put(MapNames.CH_RINGS_PREV, maxVips * RING_SIZE);
        }
        m.put(MapNames.REALS, maxReals);
        m.put(MapNames.REAL_STATS, maxReals);
        m.put(MapNames.QUIC_IDS, maxQuicIds);
        m.put(MapNames.DOWN_REALS, maxDownReals);
        return m;
    }

    Map<String, Integer> healthCheckMapSizes() {
        return Map.of(MapNames.HC_REALS, Math.max(1, maxHealthCheckDsts));
    }

    @Override
    public String toString() {
        return "DatapathConfig[" + variant + ", maxVips=" + maxVips + ", maxReals=" + maxReals + ", maxQuicIds="
                + maxQuicIds + ", maxDownReals=" + maxDownReals + ", maxHealthCheckDsts=" + maxHealthCheckDsts
                + (perCpuConnTables
                        ? ", lruSizePerCpu=" + lruSizePerCpu + ", cpus="
                                + (connTableCpus.isEmpty() ? "all" : connTableCpus)
                        : ", fallback connection table only")
                + ", pinDir=" + (pinDir == null ? "none" : pinDir) + ", healthCheck=" + healthCheck
                + (healthCheck
                        ? ", healthCheckSources=" + source(healthCheckSourceV4) + "/" + source(healthCheckSourceV6)
                        : "")
                + "]";
    }

    private static String source(InetAddress a) {
        return a == null ? "none" : a.getHostAddress();
    }

    /** Every setter checks its argument and says what is allowed. */
    public static final class Builder {
        private BalancerVariant variant = BalancerVariant.BALANCER;
        private int maxVips = FleetLimits.DEFAULT_MAX_VIPS;
        private int maxReals = FleetLimits.DEFAULT_MAX_REALS;
        private int maxQuicIds = DEFAULT_MAX_QUIC_IDS;
        private int maxDownReals = DEFAULT_MAX_DOWN_REALS;
        private int maxHealthCheckDsts = DEFAULT_MAX_HEALTH_CHECK_DSTS;
        private boolean perCpuConnTables = true;
        private int lruSizePerCpu = NodeSettings.DEFAULT_LRU_SIZE;
        private List<Integer> connTableCpus = List.of();
        private Path pinDir;
        private boolean healthCheck = true;
        private Inet4Address healthCheckSourceV4;
        private Inet6Address healthCheckSourceV6;

        private Builder() {}

        public Builder variant(BalancerVariant variant) {
            this.variant = Objects.requireNonNull(variant, "variant must be BALANCER, TOO_BIG or SECOND_CHANCE");
            return this;
        }

        /** 1 .. 32767 (the ring map has maxVips x 65537 slots in one array). */
        public Builder maxVips(int maxVips) {
            if (maxVips < 1 || (long) maxVips * RING_SIZE > FleetLimits.MAX_RING_SLOTS) {
                throw new IllegalArgumentException("maxVips must be 1.." + FleetLimits.MAX_RING_SLOTS / RING_SIZE
                        + " (maxVips x " + RING_SIZE + " ring slots in one BPF array), got " + maxVips);
            }
            this.maxVips = maxVips;
            return this;
        }

        /** 2 .. 65536: index 0 is reserved and ring slots hold 16-bit real indexes. */
        public Builder maxReals(int maxReals) {
            if (maxReals < FleetLimits.MIN_REALS || maxReals > FleetLimits.MAX_REALS) {
                throw new IllegalArgumentException("maxReals must be " + FleetLimits.MIN_REALS + ".."
                        + FleetLimits.MAX_REALS + " (index 0 is reserved; a ring slot holds a"
                        + " 16-bit real index), got " + maxReals);
            }
            this.maxReals = maxReals;
            return this;
        }

        /** Must be {@value DatapathConfig#RING_SIZE}: the balancer is compiled with that ring size. */
        public Builder ringSize(int ringSize) {
            if (ringSize != RING_SIZE) {
                throw new IllegalArgumentException(
                        "ringSize must be " + RING_SIZE + ": the balancer object is built with" + " RF_RING_SIZE="
                                + RING_SIZE + " (another size needs a rebuilt object), got " + ringSize);
            }
            return this;
        }

        public Builder maxQuicIds(int n) {
            this.maxQuicIds = positive("maxQuicIds", n);
            return this;
        }

        public Builder maxDownReals(int n) {
            this.maxDownReals = positive("maxDownReals", n);
            return this;
        }

        public Builder maxHealthCheckDsts(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxHealthCheckDsts must be >= 0, got " + n);
            }
            this.maxHealthCheckDsts = n;
            return this;
        }

        /**
         * One connection table per CPU in {@code cpus} (empty: every possible CPU), each holding about
         * {@code lruSizePerCpu} flows.
         */
        public Builder perCpuConnTables(int lruSizePerCpu, List<Integer> cpus) {
            if (lruSizePerCpu < NodeSettings.MIN_LRU_SIZE || lruSizePerCpu > NodeSettings.MAX_LRU_SIZE) {
                throw new IllegalArgumentException("lruSizePerCpu must be " + NodeSettings.MIN_LRU_SIZE + ".."
                        + NodeSettings.MAX_LRU_SIZE + ", got " + lruSizePerCpu);
            }
            Objects.requireNonNull(cpus, "cpus must not be null; use an empty list for every CPU");
            TreeSet<Integer> sorted = new TreeSet<>();
            for (Integer cpu : cpus) {
                if (cpu == null || cpu < 0 || cpu >= MAX_CONN_TABLE_CPUS) {
                    throw new IllegalArgumentException("connection-table CPUs must be 0.." + (MAX_CONN_TABLE_CPUS - 1)
                            + " (conn_lru_maps has " + MAX_CONN_TABLE_CPUS + " slots), got " + cpu);
                }
                sorted.add(cpu);
            }
            this.perCpuConnTables = true;
            this.lruSizePerCpu = lruSizePerCpu;
            this.connTableCpus = List.copyOf(sorted);
            return this;
        }

        /** No per-CPU tables: every CPU uses conn_fallback (as Katran's test mode, which its fixtures assume). */
        public Builder fallbackConnTableOnly() {
            this.perCpuConnTables = false;
            return this;
        }

        /** A directory in bpffs (created if missing); null: no pinning. */
        public Builder pinDir(Path dir) {
            if (dir != null && !dir.isAbsolute()) {
                throw new IllegalArgumentException("pinDir must be an absolute path in bpffs, got " + dir);
            }
            this.pinDir = dir;
            return this;
        }

        public Builder healthCheck(boolean load) {
            this.healthCheck = load;
            return this;
        }

        /**
         * The health-check forwarder's outer source addresses, written into hc_ctl at open when they differ from
         * what it holds; {@code null} for none of that family (such health checks are dropped and counted).
         */
        public Builder healthCheckSources(Inet4Address v4, Inet6Address v6) {
            if (v4 != null && v4.isAnyLocalAddress() || v6 != null && v6.isAnyLocalAddress()) {
                throw new IllegalArgumentException("a health-check source must not be the unspecified address (hc_ctl"
                        + " reads all zeros as none); use null for none");
            }
            this.healthCheckSourceV4 = v4;
            this.healthCheckSourceV6 = v6;
            return this;
        }

        public DatapathConfig build() {
            return new DatapathConfig(this);
        }

        private static int positive(String what, int n) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, got " + n);
            }
            return n;
        }
    }
}
