package io.ringfleet.chaos.netns;

import static io.ringfleet.chaos.netns.Addresses.address;
import static io.ringfleet.chaos.netns.Addresses.text;

import io.ringfleet.bpf.NetNs;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A Ringfleet fleet on one machine, in network namespaces (root needed). Addresses exist only inside
 * these namespaces:
 *
 * <pre>
 *  client cl<i>C</i> ── eth0 10.77.(200+C).2 ─┐                       ┌─ eth0 10.77.(10+N).2 ── LB lb<i>N</i> (balancer, XDP)
 *                                            ├─ router ─ ECMP per VIP ┤         ctl0 10.77.0.N ── br-ctl (control network)
 *  backend be<i>M</i> ── eth0 10.77.(100+M).2 ─┘   (L4 multipath hash)  └─ ...
 *     VIPs on lo, ipip0 / ip6tnl1 external decap, echo servers; replies go straight to the client (DSR)
 * </pre>
 *
 * <p>IPv6 mirrors IPv4: {@code fd77:0:X::/64} for the link {@code 10.77.X.0/24}. The router's route for
 * each VIP has one next hop per announced LB; {@link #announce} / {@link #withdraw} edit it (standing in
 * for BGP). An LB forwards with XDP_TX back out of its one link, to the router's MAC on that link.
 *
 * <p>Every namespace is named {@code rfc-PID-XXXX-ROLE} ({@link Namespaces}); {@link #close()} (also run
 * by a JVM shutdown hook, so Ctrl-C cleans up) first closes what was registered with {@link #onTeardown}
 * (newest first), then deletes every namespace of the run. It is idempotent.
 */
public final class Topology implements AutoCloseable {
    public static final String DEFAULT_VIP4 = "10.200.0.1";
    public static final String DEFAULT_VIP6 = "fd77:200::1";
    /** MTU of the links the encapsulated frames cross (LB and backend links): room for the outer header. */
    public static final int DATA_MTU = 1600;

    public static final int DEFAULT_ECHO_PORT = 8080;
    /** The device names used in every node namespace. */
    public static final String NODE_DEVICE = "eth0";

    public static final String CONTROL_DEVICE = "ctl0";
    public static final String IPIP_DEVICE = "ipip0";
    public static final String IP6TNL_DEVICE = "ip6tnl1";

    private final String prefix;
    private final Consumer<String> log;
    private final InetAddress vip4;
    private final InetAddress vip6;
    private final List<NetNs> namespaces = new ArrayList<>();
    private final List<LbNode> lbs = new ArrayList<>();
    private final List<BackendNode> backends = new ArrayList<>();
    private final List<ClientNode> clients = new ArrayList<>();
    private final List<EchoServer> echoServers = new ArrayList<>();
    private final List<BackendDecap> decaps = new ArrayList<>();
    private final List<RingfleetBackend> ringfleetBackends = new ArrayList<>();
    private final boolean withRingfleetBackend;
    private boolean tunnelDevices = true;
    private final int echoPort;
    private final SortedSet<Integer> announced = new TreeSet<>();
    private final Deque<AutoCloseable> teardown = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private NetNs router;
    private RouterPrograms routerPrograms;

    private Topology(Builder b) {
        this.prefix = Namespaces.newPrefix() + b.tag;
        this.log = b.log;
        this.vip4 = b.vip4;
        this.vip6 = b.vip6;
        this.echoPort = b.echoPort;
        this.withRingfleetBackend = b.ringfleetBackend;
        this.shutdownHook = new Thread(this::teardown, "topology-teardown");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to build. */
    public static final class Builder {
        private int lbs = 3;
        private int backends = 3;
        private int clients = 1;
        private InetAddress vip4 = address(DEFAULT_VIP4);
        private InetAddress vip6 = address(DEFAULT_VIP6);
        private Consumer<String> log = s -> {};
        private int echoPort = DEFAULT_ECHO_PORT;
        private boolean ringfleetBackend;
        private String tag = "";

        private Builder() {}

        /**
         * A word added to the run's prefix ({@code rfc-PID-XXXX-TAG-}: namespaces, pin dirs, run files), so that a
         * test's leftovers say whose they are; 1-8 lower-case letters or digits; default none.
         */
        public Builder tag(String word) {
            if (word == null || !word.matches("[a-z0-9]{1,8}")) {
                throw new IllegalArgumentException("tag must be 1-8 lower-case letters or digits, got '" + word + "'");
            }
            this.tag = word + "-";
            return this;
        }

        /**
         * Whether the backends run the product's {@code ringfleet-backend} ({@link RingfleetBackend}: decapsulation
         * and second-chance forwarding) instead of tunnel devices or this module's {@code backend_decap}; default
         * false.
         */
        public Builder ringfleetBackend(boolean on) {
            this.ringfleetBackend = on;
            return this;
        }

        /** The port of every backend's TCP and UDP echo server on the VIPs; default {@value #DEFAULT_ECHO_PORT}. */
        public Builder echoPort(int port) {
            this.echoPort = checkRange("echoPort", port, 1, 65535);
            return this;
        }

        /** LB nodes, 1..9; default 3. */
        public Builder lbs(int n) {
            this.lbs = checkRange("lbs", n, 1, 9);
            return this;
        }

        /** Backends, 1..99; default 3. */
        public Builder backends(int n) {
            this.backends = checkRange("backends", n, 1, 99);
            return this;
        }

        /** Client namespaces, 1..50; default 1. */
        public Builder clients(int n) {
            this.clients = checkRange("clients", n, 1, 50);
            return this;
        }

        /** The IPv4 VIP address (routed only inside the namespaces); default {@value #DEFAULT_VIP4}. */
        public Builder vip4(String address) {
            InetAddress a = address(address);
            if (a.getAddress().length != 4) {
                throw new IllegalArgumentException("vip4 must be an IPv4 address, got " + address);
            }
            this.vip4 = a;
            return this;
        }

        /** The IPv6 VIP address; default {@value #DEFAULT_VIP6}. */
        public Builder vip6(String address) {
            InetAddress a = address(address);
            if (a.getAddress().length != 16) {
                throw new IllegalArgumentException("vip6 must be an IPv6 address, got " + address);
            }
            this.vip6 = a;
            return this;
        }

        /** Where progress lines go (one per step); default nowhere. */
        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** Creates everything; on any failure removes what was created and rethrows. */
        public Topology build() {
            Topology t = new Topology(this);
            Runtime.getRuntime().addShutdownHook(t.shutdownHook);
            try {
                t.create(lbs, backends, clients);
                return t;
            } catch (RuntimeException | Error e) {
                t.close();
                throw e;
            }
        }

        private static int checkRange(String what, int n, int min, int max) {
            if (n < min || n > max) {
                throw new IllegalArgumentException(what + " must be " + min + ".." + max + ", got " + n);
            }
            return n;
        }
    }

    // ---- building ----

    private void create(int lbCount, int backendCount, int clientCount) {
        log.accept("namespaces " + prefix + "*: router, " + lbCount + " LBs, " + backendCount + " backends, "
                + clientCount + " client(s)");
        router = namespace("router");
        sysctl(
                router,
                "net.ipv4.ip_forward=1",
                "net.ipv6.conf.all.forwarding=1",
                "net.ipv4.fib_multipath_hash_policy=1",
                "net.ipv6.fib_multipath_hash_policy=1");
        router.ip("link", "add", "br-ctl", "type", "bridge");
        router.ip("addr", "add", "10.77.0.254/24", "dev", "br-ctl");
        router.ip("addr", "add", "fd77::fe/64", "dev", "br-ctl", "nodad");
        router.ip("link", "set", "br-ctl", "up");
        routerPrograms = RouterPrograms.load(router);
        onTeardown(routerPrograms);

        for (int n = 1; n <= lbCount; n++) {
            lbs.add(createLb(n));
        }
        for (int m = 1; m <= backendCount; m++) {
            backends.add(createBackend(m));
        }
        for (int c = 1; c <= clientCount; c++) {
            clients.add(createClient(c));
        }
        synchronized (this) {
            for (LbNode lb : lbs) {
                announced.add(lb.number());
            }
            writeRoutes();
        }
        log.accept("router: " + text(vip4) + " and " + text(vip6) + " via " + lbCount
                + " ECMP next hops (fib_multipath_hash_policy=1: source/destination address and port)");
    }

    private LbNode createLb(int n) {
        String id = "lb" + n;
        NetNs ns = namespace(id);
        int net = 10 + n;
        byte[] lbMac = mac(0x01, n, 0x01);
        byte[] routerMac = mac(0x00, n, 0xfe);
        NetNs.vethPair(ns, NODE_DEVICE, router, id);
        for (NetNs side : List.of(ns, router)) {
            side.ip("link", "set", side == ns ? NODE_DEVICE : id, "mtu", Integer.toString(DATA_MTU));
        }
        ns.ip("link", "set", NODE_DEVICE, "address", macText(lbMac));
        router.ip("link", "set", id, "address", macText(routerMac));
        linkAddresses(ns, NODE_DEVICE, router, id, net);
        ns.ip("route", "add", "default", "via", v4(net, 1));
        ns.ip("-6", "route", "add", "default", "via", v6(net, 1));
        // XDP_TX on a veth hands frames to the peer's NAPI: the router's end needs an XDP program for it
        routerPrograms.onLbLink(id);

        NetNs.vethPair(ns, CONTROL_DEVICE, router, "c-" + id);
        router.ip("link", "set", "c-" + id, "master", "br-ctl");
        ns.ip("addr", "add", "10.77.0." + n + "/24", "dev", CONTROL_DEVICE);
        ns.ip("addr", "add", "fd77::" + n + "/64", "dev", CONTROL_DEVICE, "nodad");
        log.accept(id + ": " + NODE_DEVICE + " " + v4(net, 2) + " / " + v6(net, 2) + " towards the router (gateway MAC "
                + macText(routerMac) + "), control " + CONTROL_DEVICE + " 10.77.0." + n);
        return new LbNode(
                n,
                id,
                ns,
                NODE_DEVICE,
                address(v4(net, 2)),
                address(v6(net, 2)),
                lbMac,
                routerMac,
                address("10.77.0." + n));
    }

    private BackendNode createBackend(int m) {
        String name = "be" + m;
        NetNs ns = namespace(name);
        int net = 100 + m;
        NetNs.vethPair(ns, NODE_DEVICE, router, name);
        ns.ip("link", "set", NODE_DEVICE, "mtu", Integer.toString(DATA_MTU));
        router.ip("link", "set", name, "mtu", Integer.toString(DATA_MTU));
        byte[] routerMac = mac(0x00, net, 0xfe);
        router.ip("link", "set", name, "address", macText(routerMac));
        linkAddresses(ns, NODE_DEVICE, router, name, net);
        ns.ip("route", "add", "default", "via", v4(net, 1));
        ns.ip("-6", "route", "add", "default", "via", v6(net, 1));
        ns.ip("addr", "add", vip4.getHostAddress() + "/32", "dev", "lo");
        ns.ip("addr", "add", vip6.getHostAddress() + "/128", "dev", "lo", "nodad");
        String decap = withRingfleetBackend ? ringfleetBackend(ns, name, routerMac) : decapsulation(ns);
        // the inner packet arrives on the tunnel but its source (the client) routes via eth0: no rp_filter
        List<String> rp = new ArrayList<>();
        for (String dev : devices(ns)) {
            rp.add("net.ipv4.conf." + dev + ".rp_filter=0");
        }
        sysctl(ns, rp.toArray(String[]::new));
        EchoServer echo = EchoServer.start(ns, name, List.of(vip4, vip6), echoPort);
        echoServers.add(echo);
        onTeardown(echo);
        log.accept(name + ": real " + v4(net, 2) + " / " + v6(net, 2) + ", VIPs on lo, " + decap
                + ", rp_filter off, echo server on TCP/UDP " + echoPort
                + ", replies straight to clients (DSR)");
        return new BackendNode(m, name, ns, address(v4(net, 2)), address(v6(net, 2)));
    }

    /**
     * Decapsulation of whatever any LB sends: collect-metadata tunnel devices ({@code ipip external},
     * {@code ip6tnl mode any external}) that accept every outer source, or, on a kernel built without them,
     * the XDP decapsulation program on the backend's link. Returns what was set up, for the log.
     */
    private String decapsulation(NetNs ns) {
        if (tunnelDevices) {
            try {
                ns.ip("link", "add", "name", IPIP_DEVICE, "type", "ipip", "external");
                ns.ip("link", "add", "name", IP6TNL_DEVICE, "type", "ip6tnl", "mode", "any", "external");
                ns.ip("link", "set", IPIP_DEVICE, "up");
                ns.ip("link", "set", IP6TNL_DEVICE, "up");
                return IPIP_DEVICE + " + " + IP6TNL_DEVICE + " external decap devices";
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains("Unknown device type")) {
                    throw e;
                }
                tunnelDevices = false;
                log.accept("this kernel has no ipip / ip6tnl devices ("
                        + e.getMessage().strip() + "): backends decapsulate with XDP (backend_decap.bpf.o) instead");
                for (String dev : List.of(IPIP_DEVICE, IP6TNL_DEVICE)) {
                    try {
                        ns.ip("link", "del", dev);
                    } catch (IllegalStateException absent) {
                        // it was not created
                    }
                }
            }
        }
        BackendDecap d = BackendDecap.attach(ns, NODE_DEVICE);
        decaps.add(d);
        onTeardown(d);
        return "XDP decap on " + NODE_DEVICE;
    }

    /**
     * ringfleet-backend on the backend's link, its gateway the router's port (where second-chance segments it
     * sends on go); router_pass on that port, since the backend's XDP_TX reaches the router only through NAPI.
     */
    private String ringfleetBackend(NetNs ns, String name, byte[] routerMac) {
        RingfleetBackend b = RingfleetBackend.attach(ns, NODE_DEVICE, routerMac);
        ringfleetBackends.add(b);
        onTeardown(b);
        routerPrograms.onBackendLink(name);
        return "ringfleet-backend on " + NODE_DEVICE + " (gateway " + macText(routerMac) + ")";
    }

    private ClientNode createClient(int c) {
        String name = "cl" + c;
        NetNs ns = namespace(name);
        int net = 200 + c;
        NetNs.vethPair(ns, NODE_DEVICE, router, name);
        linkAddresses(ns, NODE_DEVICE, router, name, net);
        ns.ip("route", "add", "default", "via", v4(net, 1));
        ns.ip("-6", "route", "add", "default", "via", v6(net, 1));
        // full checksums on the wire: the balancer re-encapsulates frames, checksum offload state does not survive XDP
        ns.exec("ethtool", "-K", NODE_DEVICE, "tx", "off");
        routerPrograms.onClientLink(name);
        log.accept(name + ": " + v4(net, 2) + " / " + v6(net, 2) + ", default route via the router");
        return new ClientNode(c, ns, address(v4(net, 2)), address(v6(net, 2)));
    }

    private NetNs namespace(String role) {
        String name = prefix + role;
        NetNs.run(List.of("ip", "netns", "add", name));
        NetNs ns = NetNs.existing(name);
        namespaces.add(ns);
        ns.ip("link", "set", "lo", "up");
        sysctl(
                ns,
                "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf.default.rp_filter=0",
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0");
        return ns;
    }

    private static void linkAddresses(NetNs node, String nodeDev, NetNs router, String routerDev, int net) {
        node.ip("addr", "add", v4(net, 2) + "/24", "dev", nodeDev);
        node.ip("addr", "add", v6(net, 2) + "/64", "dev", nodeDev, "nodad");
        router.ip("addr", "add", v4(net, 1) + "/24", "dev", routerDev);
        router.ip("addr", "add", v6(net, 1) + "/64", "dev", routerDev, "nodad");
    }

    private static void sysctl(NetNs ns, String... settings) {
        List<String> cmd = new ArrayList<>(List.of("sysctl", "-q", "-w"));
        cmd.addAll(List.of(settings));
        ns.exec(cmd.toArray(String[]::new));
    }

    private static List<String> devices(NetNs ns) {
        List<String> names = new ArrayList<>();
        for (String line : ns.ip("-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2) {
                String dev = parts[1];
                int at = dev.indexOf('@');
                names.add(at >= 0 ? dev.substring(0, at) : dev);
            }
        }
        return names;
    }

    // ---- route announcement (stands in for BGP) ----

    /** Adds LB number n's next hop to every VIP route (idempotent). */
    public synchronized void announce(int n) {
        lb(n);
        if (announced.add(n)) {
            writeRoutes();
        }
    }

    /** Removes LB number n's next hop from every VIP route (idempotent): its flows move to the others. */
    public synchronized void withdraw(int n) {
        lb(n);
        if (announced.remove(n)) {
            writeRoutes();
        }
    }

    /** LB numbers whose next hop is in the routes, as this object last wrote them. */
    public synchronized SortedSet<Integer> announced() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(announced));
    }

    /** LB numbers in the router's kernel route for the IPv4 VIP (read back with ip route). */
    public SortedSet<Integer> nextHops4() {
        return nextHops(router.ip("-4", "route", "show", vip4.getHostAddress() + "/32"));
    }

    /** LB numbers in the router's kernel route for the IPv6 VIP. */
    public SortedSet<Integer> nextHops6() {
        return nextHops(router.ip("-6", "route", "show", vip6.getHostAddress() + "/128"));
    }

    private static SortedSet<Integer> nextHops(String routes) {
        SortedSet<Integer> out = new TreeSet<>();
        for (String word : routes.split("\\s+")) {
            if (word.matches("lb\\d")) {
                out.add(Integer.parseInt(word.substring(2)));
            }
        }
        return out;
    }

    private void writeRoutes() {
        writeRoute("-4", vip4.getHostAddress() + "/32", LbNode::address4);
        writeRoute("-6", vip6.getHostAddress() + "/128", LbNode::address6);
    }

    private void writeRoute(String family, String prefix, Function<LbNode, InetAddress> hop) {
        List<String> cmd = new ArrayList<>(List.of(family, "route", "replace"));
        if (announced.isEmpty()) {
            cmd.addAll(List.of("unreachable", prefix));
        } else {
            cmd.add(prefix);
            for (int n : announced) {
                LbNode lb = lb(n);
                cmd.addAll(List.of("nexthop", "via", hop.apply(lb).getHostAddress(), "dev", lb.id()));
            }
        }
        router.ip(cmd.toArray(String[]::new));
    }

    // ---- facts ----

    /** The run's namespace prefix, {@code rfc-PID-XXXX-}. */
    public String prefix() {
        return prefix;
    }

    public NetNs router() {
        return router;
    }

    public InetAddress vip4() {
        return vip4;
    }

    public InetAddress vip6() {
        return vip6;
    }

    public List<LbNode> lbs() {
        return List.copyOf(lbs);
    }

    /** LB number n (1-based). */
    public LbNode lb(int n) {
        if (n < 1 || n > lbs.size()) {
            throw new IllegalArgumentException("LB number must be 1.." + lbs.size() + ", got " + n);
        }
        return lbs.get(n - 1);
    }

    public List<BackendNode> backends() {
        return List.copyOf(backends);
    }

    /** The port of the backends' echo servers on the VIPs. */
    public int echoPort() {
        return echoPort;
    }

    /** The backends' XDP decapsulation programs (empty when tunnel devices decapsulate). */
    public List<BackendDecap> decaps() {
        return List.copyOf(decaps);
    }

    /** The backends' ringfleet-backend programs, by backend (empty unless the builder asked for them). */
    public List<RingfleetBackend> ringfleetBackends() {
        return List.copyOf(ringfleetBackends);
    }

    public List<EchoServer> echoServers() {
        return List.copyOf(echoServers);
    }

    public List<ClientNode> clients() {
        return List.copyOf(clients);
    }

    /** Names of every namespace of this run. */
    public List<String> namespaceNames() {
        List<String> out = new ArrayList<>();
        for (NetNs ns : namespaces) {
            out.add(ns.name());
        }
        return out;
    }

    // ---- teardown ----

    /** Registers something to close before the namespaces go (closed newest first). */
    public void onTeardown(AutoCloseable c) {
        synchronized (teardown) {
            teardown.push(Objects.requireNonNull(c, "c"));
        }
    }

    /** Closes what was registered, then deletes every namespace of the run. Idempotent. */
    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself, or during shutdown: nothing to remove
        }
    }

    private void teardown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        while (true) {
            AutoCloseable c;
            synchronized (teardown) {
                c = teardown.poll();
            }
            if (c == null) {
                break;
            }
            try {
                c.close();
            } catch (Exception e) {
                log.accept("teardown: closing " + c + " failed: " + e);
            }
        }
        int deleted = Namespaces.deleteAll(prefix);
        log.accept("teardown: deleted " + deleted + " namespaces " + prefix + "*");
    }

    // ---- addresses ----

    private static String v4(int net, int host) {
        return "10.77." + net + "." + host;
    }

    private static String v6(int net, int host) {
        return "fd77:0:" + net + "::" + host;
    }

    private static byte[] mac(int role, int n, int last) {
        return new byte[] {0x02, 0x77, 0x00, (byte) role, (byte) n, (byte) last};
    }

    static String macText(byte[] mac) {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }
}
