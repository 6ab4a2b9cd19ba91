package io.ringfleet.chaos.bgp;

import io.ringfleet.chaos.netns.LbNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * BIRD 2 in one LB's namespace: one eBGP session to the router with BFD, exporting only the routes of the
 * static protocols {@code vips4} / {@code vips6}, which live in an include file that the agent's route hook
 * ({@code scripts/route-hook-bird}) rewrites before {@code birdc configure}. It starts with that file empty
 * (nothing announced: the agent announces once it is ready).
 *
 * <p>Config, control socket, pid file, include file and log are under {@code DIR/lbN/}, never /etc/bird or
 * /run/bird. {@link #hookEnvironment()} is what the hook needs to find this instance.
 */
public final class BirdSpeaker implements AutoCloseable {
    private final LbNode lb;
    private final Path dir;
    private final String routerAddress;
    private final boolean bfd;
    private volatile long pid;

    private BirdSpeaker(LbNode lb, Path dir, String routerAddress, boolean bfd) {
        this.lb = lb;
        this.bfd = bfd;
        this.dir = dir;
        this.routerAddress = routerAddress;
    }

    /** Writes this LB's config (announcing nothing) and starts BIRD; returns once its pid file is written. */
    public static BirdSpeaker start(LbNode lb, Path runDir, String routerAddress4, boolean bfd) {
        BirdSpeaker s = new BirdSpeaker(lb, runDir.resolve(lb.id()), routerAddress4, bfd);
        Daemons.write(s.dir.resolve("bird.conf"), s.config());
        s.boot();
        return s;
    }

    /**
     * Starts BIRD as a host boot does: the include file is on a tmpfs in a real host (/run), so it starts
     * empty and BIRD announces nothing until the agent, once ready, runs its hook. (An agent restart without
     * a reboot leaves BIRD and the file alone: the routes stay announced.)
     */
    public void boot() {
        Daemons.write(vipsFile(), "protocol static vips4 { ipv4; }\nprotocol static vips6 { ipv6; }\n");
        pid = Daemons.startDaemon(
                lb.ns(),
                dir.resolve("bird.pid"),
                "bird",
                "-c",
                dir.resolve("bird.conf").toString(),
                "-s",
                socket().toString(),
                "-P",
                dir.resolve("bird.pid").toString());
    }

    private String config() {
        String v6 = lb.address6().getHostAddress();
        return """
                # BIRD of %1$s, written by chaos-tests' BirdSpeaker
                log "%2$s" all;
                router id %3$s;
                protocol device { scan time 10; }
                protocol bfd {
                  interface "%4$s" { min rx interval %5$d ms; min tx interval %5$d ms; multiplier %6$d; };
                }
                include "%7$s";
                protocol bgp uplink {
                  local %3$s as %8$d;
                  neighbor %9$s as %10$d;
                  hold time %11$d; keepalive time %12$d; connect retry time %13$d;
                  # a BFD flap at start must not park the session for BIRD's default 60 s
                  error wait time 1, 5;
                  bfd %15$s;
                  ipv4 { import none; export where proto = "vips4"; };
                  ipv6 { import none; export where proto = "vips6"; next hop address %14$s; };
                }
                """.formatted(
                        lb.id(),
                        dir.resolve("bird.log"),
                        lb.address4().getHostAddress(),
                        lb.device(),
                        BgpTimers.BFD_INTERVAL_MS,
                        BgpTimers.BFD_MULTIPLIER,
                        vipsFile(),
                        BgpTimers.LB_AS,
                        routerAddress,
                        BgpTimers.ROUTER_AS,
                        BgpTimers.HOLD_S,
                        BgpTimers.KEEPALIVE_S,
                        BgpTimers.CONNECT_RETRY_S,
                        v6,
                        bfd ? "on" : "off");
    }

    /** What {@code scripts/route-hook-bird} reads to find this BIRD. */
    public Map<String, String> hookEnvironment() {
        return Map.of(
                "RINGFLEET_BIRD_SOCKET", socket().toString(),
                "RINGFLEET_BIRD_VIPS", vipsFile().toString());
    }

    public Path socket() {
        return dir.resolve("bird.ctl");
    }

    public Path vipsFile() {
        return dir.resolve("vips.conf");
    }

    /** Runs one birdc command against this BIRD; returns its output. */
    public String birdc(String command) {
        return lb.ns().exec("birdc", "-s", socket().toString(), command);
    }

    /** The BGP session's state as BIRD shows it ({@code Established}, {@code Active}, ...); empty if down. */
    public Optional<String> sessionState() {
        for (String line : birdc("show protocols").split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 1 && f[0].equals("uplink")) {
                return Optional.of(f.length >= 6 ? f[5] : f[3]);
            }
        }
        return Optional.empty();
    }

    /** The BFD session's state towards the router ({@code Up}, {@code Down}, {@code Init}); empty if none. */
    public Optional<String> bfdState() {
        for (String line : birdc("show bfd sessions").split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 3 && f[0].equals(routerAddress)) {
                return Optional.of(f[2]);
            }
        }
        return Optional.empty();
    }

    public boolean alive() {
        return pid != 0 && Daemons.alive(pid);
    }

    public LbNode lb() {
        return lb;
    }

    public Path dir() {
        return dir;
    }

    public List<Long> pids() {
        return pid == 0 ? List.of() : List.of(pid);
    }

    @Override
    public void close() {
        if (pid != 0) {
            Daemons.stop(pid);
        }
    }
}
