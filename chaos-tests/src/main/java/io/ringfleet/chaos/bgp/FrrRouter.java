package io.ringfleet.chaos.bgp;

import io.ringfleet.bpf.NetNs;
import io.ringfleet.chaos.netns.LbNode;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FRR in the router namespace: zebra (installs the routes into the router's kernel), bfdd and bgpd with one
 * eBGP session per LB (IPv4 and IPv6 unicast over the IPv4 session, BFD on each) and ECMP over all of them
 * ({@code maximum-paths}). The L4 multipath hash is the topology's sysctl ({@code fib_multipath_hash_policy=1}).
 *
 * <p>Every file is under the run's directory {@code DIR} (configs, pid files, vty sockets, zebra's API socket,
 * the log), owned by FRR's user {@code frr}; nothing under /etc/frr or the default sockets is used, so several
 * runs never collide. {@link #vtysh} talks to this instance only.
 */
public final class FrrRouter implements AutoCloseable {
    private static final List<String> DAEMONS = List.of("zebra", "bfdd", "bgpd");
    private static final Pattern NEXT_HOP_DEVICE = Pattern.compile("\"interfaceName\":\"(lb\\d)\"");

    private final NetNs ns;
    private final Path dir;
    private final List<Long> pids = new ArrayList<>();

    private FrrRouter(NetNs ns, Path dir) {
        this.ns = ns;
        this.dir = dir;
    }

    /**
     * Writes the configs for these LBs and starts the three daemons in FRR's own order: zebra, then bfdd, then
     * bgpd, each once the previous one's socket is up. (Started together, bgpd could register its BFD peers
     * through zebra before bfdd was connected; the registration was then lost and the router showed BGP
     * Established with no BFD session at all.)
     *
     * @param bfd false configures the sessions without BFD (the control run: only the hold timer detects a
     *     dead LB)
     */
    public static FrrRouter start(NetNs router, Path dir, List<LbNode> lbs, boolean bfd) {
        FrrRouter r = new FrrRouter(router, dir);
        FrrConfig.write(dir, router.name(), lbs, bfd);
        NetNs.run(List.of("chown", "-R", "frr:frr", dir.toString()));
        try {
            for (String daemon : DAEMONS) {
                r.pids.add(r.startDaemon(daemon));
                r.awaitSocket(daemon);
            }
        } catch (RuntimeException e) {
            r.close();
            throw new IllegalStateException("starting FRR in " + router.name() + ": " + e.getMessage(), e);
        }
        return r;
    }

    /** Waits until the socket the next daemon depends on exists: zebra's API socket, bfdd's control socket. */
    private void awaitSocket(String daemon) {
        Path socket = switch (daemon) {
            case "zebra" -> dir.resolve("zserv.api");
            case "bfdd" -> dir.resolve("bfdd.sock");
            default -> null;
        };
        if (socket != null) {
            Daemons.awaitFile(socket, daemon);
        }
    }

    private long startDaemon(String daemon) {
        List<String> cmd = new ArrayList<>(List.of(
                "/usr/lib/frr/" + daemon,
                "-d",
                "-N",
                ns.name(),
                "--vty_socket",
                dir.toString(),
                "-i",
                pidFile(daemon).toString(),
                "-z",
                dir.resolve("zserv.api").toString(),
                "-f",
                dir.resolve(daemon + ".conf").toString(),
                "--log",
                "file:" + dir.resolve(daemon + ".log")));
        if (daemon.equals("bfdd")) {
            cmd.addAll(List.of("--bfdctl", dir.resolve("bfdd.sock").toString()));
        }
        if (daemon.equals("bgpd")) {
            cmd.addAll(List.of("-l", "0.0.0.0")); // IPv4 sessions only; no listener on the default v6 wildcard
        }
        return Daemons.startDaemon(ns, pidFile(daemon), cmd.toArray(String[]::new));
    }

    private Path pidFile(String daemon) {
        return dir.resolve(daemon + ".pid");
    }

    /** Runs vtysh commands against this instance; returns its output. */
    public String vtysh(String... commands) {
        List<String> cmd =
                new ArrayList<>(List.of("vtysh", "--vty_socket", dir.toString(), "--config_dir", dir.toString()));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        return ns.exec(cmd.toArray(String[]::new));
    }

    /**
     * LB numbers among the next hops of the route zebra selected for this VIP ({@code show ip route json} /
     * {@code show ipv6 route json}): what the router forwards with, as FRR sees it.
     */
    public SortedSet<Integer> nextHops(InetAddress vip) {
        boolean v4 = vip.getAddress().length == 4;
        String prefix = vip.getHostAddress() + (v4 ? "/32" : "/128");
        String json = vtysh("show " + (v4 ? "ip" : "ipv6") + " route " + prefix + " json");
        SortedSet<Integer> out = new TreeSet<>();
        Matcher m = NEXT_HOP_DEVICE.matcher(json);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1).substring(2)));
        }
        return out;
    }

    /** BGP session state per neighbour address, from {@code show bgp summary}. */
    public String sessions() {
        return vtysh("show bgp summary", "show bfd peers brief");
    }

    public Path dir() {
        return dir;
    }

    /** Stops the daemons (bgpd first, zebra last; zebra removes the routes it installed). */
    @Override
    public void close() {
        for (String daemon : List.of("bgpd", "bfdd", "zebra")) {
            Daemons.pid(pidFile(daemon)).ifPresent(Daemons::stop);
        }
        // -N makes FRR create /var/run/frr/<namespace name>/ for its per-process state: this instance's only
        NetNs.run(List.of("rm", "-rf", "/var/run/frr/" + ns.name()));
    }
}
