package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfException;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.MapType;
import io.ringfleet.bpf.Tc;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.EncapSrc;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.config.XdpMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The balancer (and the tc health-check forwarder) loaded into the kernel: its maps, its program, where it is
 * attached. Owns the fds; closing never detaches anything (XDP and tc attachments and pins outlive the agent).
 *
 * <p>{@link #open} loads the configured variant with the configured map sizes. With a pin dir, every map is
 * pinned there and maps already pinned are reused (an agent restart keeps the connection table and every
 * entry), and the program pinned by an earlier agent from the same object file is reused instead of the one
 * just loaded; per-CPU connection tables are created and registered in {@code conn_lru_maps} only for CPUs
 * that have none. {@link #attach} and {@link #attachHealthCheck} put the programs in place: a program already
 * there stays, an earlier Ringfleet program is swapped atomically, a foreign program is an error. A datapath
 * that is never attached is fine (tests, in-JVM fleets): its program runs through BPF_PROG_TEST_RUN.
 */
public final class BalancerDatapath implements AutoCloseable {
    public static final String BALANCER_PROGRAM = "balancer_ingress";
    public static final String HEALTH_CHECK_PROGRAM = "healthcheck";
    static final String HEALTH_CHECK_OBJECT = "healthcheck";
    static final String CONN_LRU_MAPS = MapNames.CONN_LRU_MAPS;
    static final String HEALTH_CHECK_CONTROL = MapNames.HC_CTL;
    /** tc filter handle and priority of the health-check forwarder on clsact egress. */
    static final int TC_HANDLE = 1;

    static final int TC_PRIORITY = 1;

    private final DatapathConfig config;
    private final Map<String, BpfMap> maps;
    private final PinnedProgram balancer;
    private final PinnedProgram healthCheck;
    private final boolean mapsReused;
    private final int connTablesCreated;
    private final int connTablesKept;
    private final boolean healthCheckSourcesWritten;
    private final int encapSourcesWritten;
    private volatile boolean closed;

    private BalancerDatapath(
            DatapathConfig config,
            Map<String, BpfMap> maps,
            PinnedProgram balancer,
            PinnedProgram healthCheck,
            boolean mapsReused,
            int connTablesCreated,
            int connTablesKept,
            boolean healthCheckSourcesWritten,
            int encapSourcesWritten) {
        this.config = config;
        this.maps = maps;
        this.balancer = balancer;
        this.healthCheck = healthCheck;
        this.mapsReused = mapsReused;
        this.connTablesCreated = connTablesCreated;
        this.connTablesKept = connTablesKept;
        this.healthCheckSourcesWritten = healthCheckSourcesWritten;
        this.encapSourcesWritten = encapSourcesWritten;
    }

    /**
     * Loads the balancer (and the health-check forwarder when configured), reusing pinned state; attaches nothing.
     *
     * @throws DatapathException when the pin dir is not in bpffs, pinned maps do not fit the configured sizes, or
     *                           the kernel refuses the load (the message carries the verifier's log)
     */
    public static BalancerDatapath open(DatapathConfig config) {
        Objects.requireNonNull(config, "config");
        Optional<Path> pinDir = config.pinDir();
        pinDir.ifPresent(BalancerDatapath::preparePinDir);
        Map<String, BpfMap> maps = new TreeMap<>();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Path balancerFile = Bpf.shippedObject(config.variant().objectName());
            Loaded lb = load(balancerFile, config.variant().objectName(), config.balancerMapSizes(), pinDir);
            opened.add(lb.object);
            PinnedProgram balancer = PinnedProgram.choose(
                    lb.object,
                    BALANCER_PROGRAM,
                    "xdp",
                    config.variant().objectName(),
                    balancerFile,
                    pinDir,
                    lb.mapsPinned);
            opened.add(balancer);
            for (String name : lb.mapNames) {
                maps.put(name, lb.object.map(name));
            }
            PinnedProgram hc = null;
            boolean mapsReused = lb.mapsPinned;
            if (config.healthCheck()) {
                Path hcFile = Bpf.shippedObject(HEALTH_CHECK_OBJECT);
                Loaded h = load(hcFile, HEALTH_CHECK_OBJECT, config.healthCheckMapSizes(), pinDir);
                opened.add(h.object);
                hc = PinnedProgram.choose(
                        h.object, HEALTH_CHECK_PROGRAM, "tc", HEALTH_CHECK_OBJECT, hcFile, pinDir, h.mapsPinned);
                opened.add(hc);
                for (String name : h.mapNames) {
                    maps.put(name, h.object.map(name));
                }
                mapsReused &= h.mapsPinned;
                h.object.close();
            }
            lb.object.close();
            int[] tables = config.perCpuConnTables()
                    ? registerConnTables(config, maps.get(CONN_LRU_MAPS), pinDir)
                    : new int[] {0, 0};
            boolean sourcesWritten = hc != null && writeHealthCheckSources(config, maps.get(HEALTH_CHECK_CONTROL));
            int encapWritten =
                    config.variant().secondChance() ? writeEncapSources(config, maps.get(MapNames.ENCAP_SRCS)) : 0;
            return new BalancerDatapath(
                    config,
                    Collections.unmodifiableMap(maps),
                    balancer,
                    hc,
                    mapsReused,
                    tables[0],
                    tables[1],
                    sourcesWritten,
                    encapWritten);
        } catch (RuntimeException e) {
            maps.values().forEach(BpfMap::close);
            for (AutoCloseable c : opened) {
                closeQuietly(c);
            }
            throw e;
        }
    }

    private record Loaded(BpfObject object, List<String> mapNames, boolean mapsPinned) {}

    private static Loaded load(Path file, String objectName, Map<String, Integer> sizes, Optional<Path> pinDir) {
        BpfObject obj;
        try {
            obj = BpfObject.open(file, sizes);
        } catch (BpfException e) {
            throw new DatapathException(
                    "opening the BPF object " + objectName + " (" + file + ") failed: " + e.getMessage(), e);
        }
        try {
            List<String> names =
                    obj.mapNames().stream().filter(n -> !n.contains(".")).toList();
            boolean allPinned = false;
            if (pinDir.isPresent()) {
                allPinned =
                        names.stream().allMatch(n -> Files.exists(pinDir.get().resolve(n)));
                obj.pinMapsIn(pinDir.get());
            }
            try {
                obj.load();
            } catch (BpfException e) {
                throw new DatapathException(
                        "loading " + objectName + (pinDir.isPresent() ? " with its maps pinned in " + pinDir.get() : "")
                                + " failed: " + e.getMessage()
                                + (pinDir.isPresent()
                                        ? "\nIf the pinned maps were made with other sizes (maxVips, maxReals, ...) or by an older map"
                                                + " layout, remove " + pinDir.get()
                                                + " to start afresh (this drops the connection table)."
                                        : ""),
                        e);
            }
            return new Loaded(obj, names, allPinned);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    private static void preparePinDir(Path dir) {
        try {
            Files.createDirectories(dir);
            String type = Files.getFileStore(dir).type();
            if (!"bpf".equals(type)) {
                throw new DatapathException("pin dir " + dir + " is on a " + type + " file system, not bpffs; use a"
                        + " directory under a bpffs mount (mount -t bpf bpf /sys/fs/bpf)");
            }
        } catch (IOException e) {
            throw new DatapathException("cannot create the pin dir " + dir + ": " + e, e);
        }
    }

    /**
     * Creates the missing per-CPU connection tables, pinned as {@code conn_lru_cpu<N>} beside the other maps (for
     * inspection; conn_lru_maps is what says whether a CPU has one). Returns {created, kept}.
     */
    private static int[] registerConnTables(DatapathConfig config, BpfMap outer, Optional<Path> pinDir) {
        int possible = Bpf.numPossibleCpus();
        List<Integer> cpus = new ArrayList<>(config.connTableCpus());
        if (cpus.isEmpty()) {
            for (int cpu = 0; cpu < Math.min(possible, outer.maxEntries()); cpu++) {
                cpus.add(cpu);
            }
        }
        // BPF_F_NO_COMMON_LRU gives each possible CPU an equal share of the entries, and only the owning CPU
        // inserts, so a table holds about max_entries / possible CPUs flows.
        long entries = (long) config.lruSizePerCpu() * possible;
        if (entries > Integer.MAX_VALUE) {
            throw new DatapathException("a connection table of " + config.lruSizePerCpu() + " flows needs "
                    + entries + " entries with " + possible + " possible CPUs, above a BPF map's limit; lower the"
                    + " LRU size");
        }
        int created = 0;
        int kept = 0;
        for (int cpu : cpus) {
            if (cpu >= possible || cpu >= outer.maxEntries()) {
                throw new DatapathException("connection-table CPU " + cpu + " is not below the " + possible
                        + " possible CPUs (and " + outer.maxEntries() + " conn_lru_maps slots)");
            }
            byte[] key = BpfMap.u32(cpu);
            if (outer.lookup(key).isPresent()) {
                kept++;
                continue;
            }
            try (BpfMap inner = BpfMap.builder(MapType.LRU_HASH)
                    .name("rf_conn_cpu" + cpu)
                    .keySize(FlowKey.SIZE)
                    .valueSize(Conn.SIZE)
                    .maxEntries((int) entries)
                    .flags(BpfMap.F_NO_COMMON_LRU)
                    .create()) {
                if (pinDir.isPresent()) {
                    Path pin = connTablePin(pinDir.get(), cpu);
                    BpfProgram.unpin(pin);
                    inner.pin(pin);
                }
                outer.setInnerMap(key, inner);
            } catch (BpfException e) {
                throw new DatapathException(
                        "creating the connection table of CPU " + cpu + " (" + entries + " entries) failed: "
                                + e.getMessage(),
                        e);
            }
            created++;
        }
        return new int[] {created, kept};
    }

    /**
     * Puts the configured outer source addresses into hc_ctl, keeping its egress device and MACs (not configured:
     * whatever an operator set stays). Writes only when something differs, so a restart with the same settings
     * leaves the pinned entry untouched. Returns whether it wrote.
     */
    private static boolean writeHealthCheckSources(DatapathConfig config, BpfMap hcCtl) {
        byte[] key = BpfMap.u32(HcCtl.MAIN);
        HcCtl current = HcCtl.decode(hcCtl.lookup(key)
                .orElseThrow(
                        () -> new DatapathException("hc_ctl has no entry " + HcCtl.MAIN + "; is it an ARRAY of 1?")));
        HcCtl wanted = new HcCtl(
                config.healthCheckSourceV4().orElse(null),
                config.healthCheckSourceV6().orElse(null),
                current.ifindex(),
                current.sourceMac(),
                current.destinationMac());
        if (wanted.equals(current)) {
            return false;
        }
        try {
            hcCtl.update(key, wanted.encode());
        } catch (BpfException e) {
            throw new DatapathException("writing the health-check sources into hc_ctl failed: " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * Puts the node's own addresses (its healthcheck-source-v4 / -v6) into encap_srcs, the outer source of the
     * second-chance frames; an unset family is left as it is (zero: that family's frames are dropped and counted).
     * Writes only an entry that differs, so a restart with the same settings rewrites nothing. Returns the entries
     * written.
     */
    private static int writeEncapSources(DatapathConfig config, BpfMap encapSrcs) {
        int written = 0;
        for (java.net.InetAddress source : new java.net.InetAddress[] {
            config.healthCheckSourceV4().orElse(null),
            config.healthCheckSourceV6().orElse(null)
        }) {
            if (source == null) {
                continue;
            }
            EncapSrc wanted = new EncapSrc(source);
            byte[] key = BpfMap.u32(wanted.index());
            byte[] now = encapSrcs.lookup(key).orElse(null);
            if (now != null && java.util.Arrays.equals(now, wanted.encode())) {
                continue;
            }
            try {
                encapSrcs.update(key, wanted.encode());
            } catch (BpfException e) {
                throw new DatapathException(
                        "writing the second-chance source into encap_srcs failed: " + e.getMessage(), e);
            }
            written++;
        }
        return written;
    }

    /** Where the connection table of one CPU is pinned. */
    public static Path connTablePin(Path pinDir, int cpu) {
        return pinDir.resolve("conn_lru_cpu" + cpu);
    }

    /**
     * Puts the balancer where the target says, in the calling thread's network namespace. The program already
     * there stays; an earlier Ringfleet program (found by its pin) is replaced atomically, never detached first.
     *
     * @throws DatapathException when the interface or root array is missing, or another program holds the place
     */
    public void attach(XdpTarget target) {
        Objects.requireNonNull(target, "target");
        ensureOpen();
        BpfProgram prog = balancer.program();
        if (target instanceof XdpTarget.Standalone s) {
            attachStandalone(s, prog);
        } else if (target instanceof XdpTarget.Shared sh) {
            attachShared(sh, prog);
        }
        balancer.retirePrevious();
    }

    private void attachStandalone(XdpTarget.Standalone s, BpfProgram prog) {
        int ifindex = ifindex(s.interfaceName());
        Xdp.Mode mode = s.mode() == XdpMode.DRIVER ? Xdp.Mode.DRIVER : Xdp.Mode.GENERIC;
        Xdp.Mode other = mode == Xdp.Mode.DRIVER ? Xdp.Mode.GENERIC : Xdp.Mode.DRIVER;
        int current = Xdp.attachedId(ifindex, mode);
        if (current == prog.id()) {
            return;
        }
        try {
            if (current == 0) {
                int otherId = Xdp.attachedId(ifindex, other);
                if (otherId != 0) {
                    throw new DatapathException("interface " + s.interfaceName() + " has XDP program id " + otherId
                            + " attached in " + name(other) + " mode, but the config says " + name(mode)
                            + "; detach it (ip link set dev " + s.interfaceName() + " xdp off) or set the XDP mode to "
                            + name(other));
                }
                Xdp.attach(ifindex, prog, mode);
                return;
            }
            Optional<BpfProgram> old = balancer.previousWithId(current);
            if (old.isEmpty()) {
                throw new DatapathException("interface " + s.interfaceName() + " has XDP program id " + current
                        + " attached in " + name(mode) + " mode, which is not a Ringfleet program pinned in "
                        + config.pinDir().map(Path::toString).orElse("(no pin dir)") + "; refusing to replace it");
            }
            Xdp.replace(ifindex, prog, old.get(), mode);
        } catch (BpfException e) {
            throw new DatapathException(
                    "attaching the balancer to " + s.interfaceName() + " in " + name(mode) + " mode failed: "
                            + e.getMessage(),
                    e);
        }
    }

    private void attachShared(XdpTarget.Shared sh, BpfProgram prog) {
        BpfMap root;
        try {
            root = BpfMap.openPinned(sh.rootArrayPin());
        } catch (BpfException e) {
            throw new DatapathException(
                    "no xdp_root program array pinned at " + sh.rootArrayPin() + ": " + e.getMessage(), e);
        }
        try (root) {
            if (root.type() != MapType.PROG_ARRAY) {
                throw new DatapathException(
                        sh.rootArrayPin() + " is a " + root.type() + " map, not xdp_root's" + " program array");
            }
            if (sh.slot() >= root.maxEntries()) {
                throw new DatapathException("slot " + sh.slot() + " is beyond the " + root.maxEntries()
                        + " slots of the root array at " + sh.rootArrayPin());
            }
            int current = root.lookup(BpfMap.u32(sh.slot())).map(BpfMap::u32).orElse(0);
            if (current == prog.id()) {
                return;
            }
            if (current != 0 && balancer.previousWithId(current).isEmpty()) {
                throw new DatapathException("slot " + sh.slot() + " of " + sh.rootArrayPin() + " holds program id "
                        + current + ", which is not a Ringfleet program pinned in "
                        + config.pinDir().map(Path::toString).orElse("(no pin dir)") + "; refusing to replace it");
            }
            root.setProgram(sh.slot(), prog);
        } catch (BpfException e) {
            throw new DatapathException(
                    "registering the balancer in slot " + sh.slot() + " of " + sh.rootArrayPin() + " failed: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Puts the health-check forwarder on the interface's clsact egress (handle 1, priority 1), in the calling
     * thread's network namespace, with the same rules as {@link #attach}.
     */
    public void attachHealthCheck(String interfaceName) {
        ensureOpen();
        if (healthCheck == null) {
            throw new IllegalStateException("this datapath was opened without the health-check forwarder");
        }
        int ifindex = ifindex(interfaceName);
        BpfProgram prog = healthCheck.program();
        try {
            int current = Tc.attachedId(ifindex, Tc.Direction.EGRESS, TC_HANDLE, TC_PRIORITY);
            if (current == prog.id()) {
                healthCheck.retirePrevious();
                return;
            }
            if (current != 0 && healthCheck.previousWithId(current).isEmpty()) {
                throw new DatapathException("interface " + interfaceName + " has tc egress program id " + current
                        + " at handle " + TC_HANDLE + " priority " + TC_PRIORITY + ", which is not a Ringfleet program;"
                        + " refusing to replace it");
            }
            Tc.attach(ifindex, Tc.Direction.EGRESS, prog, TC_HANDLE, TC_PRIORITY, true);
        } catch (BpfException e) {
            throw new DatapathException(
                    "attaching the health-check forwarder to " + interfaceName + " egress failed: " + e.getMessage(),
                    e);
        }
        healthCheck.retirePrevious();
    }

    private static int ifindex(String interfaceName) {
        try {
            return Xdp.ifindex(interfaceName);
        } catch (BpfException e) {
            throw new DatapathException(
                    "no interface " + interfaceName + " in this network namespace: " + e.getMessage(), e);
        }
    }

    private static String name(Xdp.Mode mode) {
        return mode == Xdp.Mode.DRIVER ? "driver" : "generic";
    }

    /**
     * Sets how the health-check forwarder builds outer packets (its source addresses, and optionally MACs and an
     * egress device): node facts, not fleet state, so the agent writes them from its own settings.
     */
    public void setHealthCheckControl(HcCtl control) {
        Objects.requireNonNull(control, "control");
        map(HEALTH_CHECK_CONTROL).update(BpfMap.u32(HcCtl.MAIN), control.encode());
    }

    public DatapathConfig config() {
        return config;
    }

    /** The balancer program (the one attached by {@link #attach}). */
    public BpfProgram program() {
        ensureOpen();
        return balancer.program();
    }

    public Optional<BpfProgram> healthCheckProgram() {
        ensureOpen();
        return healthCheck == null ? Optional.empty() : Optional.of(healthCheck.program());
    }

    /** A map of the balancer or the health-check forwarder, by its name in bpf/README.md. */
    public BpfMap map(String name) {
        ensureOpen();
        BpfMap m = maps.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no map '" + name + "' in this datapath; maps: " + maps.keySet());
        }
        return m;
    }

    public boolean hasMap(String name) {
        return maps.containsKey(name);
    }

    /** Every map was pinned by an earlier agent and reused. */
    public boolean mapsReused() {
        return mapsReused;
    }

    /** The balancer program is the one an earlier agent pinned (not the one this open loaded). */
    public boolean programReused() {
        return balancer.reused();
    }

    /** This open wrote the configured health-check sources into hc_ctl (false: it held them already, or no forwarder). */
    public boolean healthCheckSourcesWritten() {
        return healthCheckSourcesWritten;
    }

    /** encap_srcs entries this open wrote (second-chance build; 0: they held the node's addresses already). */
    public int encapSourcesWritten() {
        return encapSourcesWritten;
    }

    public int connTablesCreated() {
        return connTablesCreated;
    }

    public int connTablesKept() {
        return connTablesKept;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the datapath is closed");
        }
    }

    /** Closes the fds. Attachments and pins stay: the datapath keeps forwarding. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        maps.values().forEach(BpfMap::close);
        balancer.close();
        if (healthCheck != null) {
            healthCheck.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing; the first error is the one reported
        }
    }

    @Override
    public String toString() {
        return "BalancerDatapath[" + config + ", program id "
                + balancer.program().id() + (balancer.reused() ? " (reused)" : "") + ", maps "
                + (mapsReused ? "reused" : "new") + "]";
    }
}
