package io.ringfleet.agent.cli;

import io.ringfleet.bpf.BpfException;
import io.ringfleet.bpf.Xdp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an LB host for what the balancer needs, in the calling thread's network namespace: bpffs mounted, the
 * BPF JIT on, an XDP program on the interface in the expected mode, the gateway MAC in the neighbour table, LRO
 * and GRO off, the ipip0 / ip6tnl0 interfaces up, reverse-path filtering not strict. Each check is one
 * {@link Check} with a status and, when not ok, how to fix it. Reads /proc and /sys, asks the kernel for XDP
 * attachments, runs {@code ip} and {@code ethtool}; changes nothing.
 */
final class HostDoctor {
    enum Status {
        ok,
        warn,
        fail
    }

    /** One check's result; {@code fix} is empty when ok. */
    record Check(String name, Status status, String detail, String fix) {}

    /** What to check; an empty interface skips the interface checks (with a warning). */
    record Target(Optional<String> interfaceName, Optional<String> xdpMode, Optional<String> gatewayMac, Path bpffs) {}

    private static final Pattern OFFLOAD = Pattern.compile("(?m)^(large|generic)-receive-offload: (on|off)");

    private HostDoctor() {}

    static List<Check> run(Target t) {
        List<Check> out = new ArrayList<>();
        out.add(bpffs(t.bpffs()));
        out.add(jit());
        if (t.interfaceName().isEmpty()) {
            out.add(new Check(
                    "interface",
                    Status.warn,
                    "no interface given: XDP, gateway, offload and rp_filter checks" + " skipped",
                    "pass --interface IF, or --config FILE --node ID"));
        } else {
            String dev = t.interfaceName().get();
            Optional<Integer> ifindex = ifindex(dev);
            if (ifindex.isEmpty()) {
                out.add(
                        new Check(
                                "interface",
                                Status.fail,
                                "no interface " + dev + " in this network namespace",
                                "check the interface name (ip link), or run in the node's namespace (nsenter --net=/run/netns/NAME)"));
            } else {
                out.add(xdp(dev, ifindex.get(), t.xdpMode()));
                out.add(gateway(dev, t.gatewayMac()));
                out.add(offloads(dev));
            }
        }
        out.add(tunnels());
        out.add(rpFilter(t.interfaceName()));
        return out;
    }

    static Check bpffs(Path mount) {
        try {
            String type = Files.getFileStore(mount).type();
            if ("bpf".equals(type)) {
                return bpffsMode(mount);
            }
            return new Check(
                    "bpffs",
                    Status.fail,
                    mount + " is " + type + ", not bpffs: pins would not survive",
                    "mount -t bpf bpf " + mount);
        } catch (IOException e) {
            return new Check(
                    "bpffs",
                    Status.fail,
                    mount + " does not exist",
                    "mkdir -p " + mount + " && mount -t bpf bpf " + mount);
        }
    }

    /**
     * A bpffs others may write (1777 as some distributions and older install scripts mount it) lets any user pin
     * objects beside the agent's and fill the mount; only root needs it.
     */
    private static Check bpffsMode(Path mount) throws IOException {
        int mode = (Integer) Files.getAttribute(mount, "unix:mode") & 07777;
        if ((mode & 0022) != 0) {
            return new Check(
                    "bpffs",
                    Status.warn,
                    mount + " is a bpffs mount writable by group or others (mode " + String.format("%04o", mode)
                            + "): any user can pin objects there",
                    "chmod 0700 " + mount + " (and mount it with -o mode=0700)");
        }
        return new Check(
                "bpffs", Status.ok, mount + " is a bpffs mount (mode " + String.format("%04o", mode) + ")", "");
    }

    static Check jit() {
        Path p = Path.of("/proc/sys/net/core/bpf_jit_enable");
        String v = read(p).orElse("");
        switch (v) {
            case "1":
                return new Check("bpf-jit", Status.ok, "BPF JIT on (net.core.bpf_jit_enable = 1)", "");
            case "2":
                return new Check(
                        "bpf-jit",
                        Status.warn,
                        "BPF JIT on with debug output (net.core.bpf_jit_enable = 2)",
                        "sysctl -w net.core.bpf_jit_enable=1");
            case "0":
                return new Check(
                        "bpf-jit",
                        Status.fail,
                        "BPF JIT off: the balancer runs interpreted (several times slower)",
                        "sysctl -w net.core.bpf_jit_enable=1");
            default:
                return new Check(
                        "bpf-jit",
                        Status.warn,
                        "cannot read " + p + " (a host-wide setting, visible from the"
                                + " host's network namespace only)",
                        "run lbctl doctor in the host's namespace to check it");
        }
    }

    static Check xdp(String dev, int ifindex, Optional<String> expectedMode) {
        int driver;
        int generic;
        try {
            driver = Xdp.attachedId(ifindex, Xdp.Mode.DRIVER);
            generic = Xdp.attachedId(ifindex, Xdp.Mode.GENERIC);
        } catch (BpfException | UnsatisfiedLinkError e) {
            return new Check("xdp", Status.warn, "cannot query XDP on " + dev + ": " + e.getMessage(), "run as root");
        }
        String expected = expectedMode.orElse("driver");
        if (driver == 0 && generic == 0) {
            return new Check(
                    "xdp", Status.warn, "no XDP program on " + dev, "start lb-agent for this node (it attaches)");
        }
        String mode = driver != 0 ? "driver" : "generic";
        int id = driver != 0 ? driver : generic;
        if (!mode.equals(expected)) {
            return new Check(
                    "xdp",
                    Status.warn,
                    "XDP program id " + id + " on " + dev + " in " + mode + " mode, expected " + expected,
                    "set xdp-mode: " + mode + " in the fleet config, or detach it (ip link set dev " + dev + " xdp off)"
                            + " and restart lb-agent");
        }
        if (mode.equals("generic") && !dev.equals("lo")) {
            return new Check(
                    "xdp",
                    Status.warn,
                    "XDP program id " + id + " on " + dev + " in generic mode (SKB path: slow)",
                    "use xdp-mode: driver if the NIC's driver supports native XDP");
        }
        return new Check("xdp", Status.ok, "XDP program id " + id + " on " + dev + " in " + mode + " mode", "");
    }

    static Check gateway(String dev, Optional<String> mac) {
        if (mac.isEmpty()) {
            return new Check(
                    "gateway-mac", Status.warn, "no gateway MAC given", "pass --gateway-mac, or --config and --node");
        }
        String want = mac.get().toLowerCase(Locale.ROOT);
        Optional<Result> r = exec(List.of("ip", "neigh", "show", "dev", dev));
        if (r.isEmpty()) {
            return new Check("gateway-mac", Status.warn, "cannot run ip neigh", "install iproute2");
        }
        for (String line : r.get().output().split("\n")) {
            String[] words = line.strip().split("\\s+");
            String l = line.toLowerCase(Locale.ROOT);
            if (l.contains("lladdr " + want)) {
                String state = words[words.length - 1].toUpperCase(Locale.ROOT);
                String who = words[0];
                if (state.equals("REACHABLE") || state.equals("PERMANENT") || state.equals("NOARP")) {
                    return new Check(
                            "gateway-mac", Status.ok, want + " is " + who + " on " + dev + " (" + state + ")", "");
                }
                return new Check(
                        "gateway-mac",
                        Status.warn,
                        want + " is " + who + " on " + dev + " but " + state,
                        "ping " + who + " from this host and check again");
            }
        }
        return new Check(
                "gateway-mac",
                Status.warn,
                "no neighbour with MAC " + want + " on " + dev + ": forwarded frames go to a MAC nobody here has seen",
                "ping the gateway from this host (ip neigh then shows" + " its MAC), or fix gateway-mac");
    }

    static Check offloads(String dev) {
        Optional<Result> r = exec(List.of("ethtool", "-k", dev));
        if (r.isEmpty()) {
            return new Check("lro-gro", Status.warn, "cannot run ethtool", "apt-get install ethtool");
        }
        if (r.get().exit() != 0) {
            return new Check(
                    "lro-gro",
                    Status.warn,
                    "ethtool -k " + dev + " failed: " + oneLine(r.get().output()),
                    "");
        }
        List<String> on = new ArrayList<>();
        Matcher m = OFFLOAD.matcher(r.get().output());
        while (m.find()) {
            if (m.group(2).equals("on")) {
                on.add(m.group(1).equals("large") ? "lro" : "gro");
            }
        }
        if (on.isEmpty()) {
            return new Check("lro-gro", Status.ok, "LRO and GRO off on " + dev, "");
        }
        return new Check(
                "lro-gro",
                Status.warn,
                String.join(" and ", on).toUpperCase(Locale.ROOT) + " enabled on " + dev
                        + ": merged frames reach generic XDP, or XDP is refused",
                "ethtool -K " + dev + " " + String.join(" off ", on) + " off");
    }

    static Check tunnels() {
        List<String> missing = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (String dev : List.of("ipip0", "ip6tnl0")) {
            Optional<Result> r = exec(List.of("ip", "-o", "link", "show", "dev", dev));
            if (r.isEmpty() || r.get().exit() != 0) {
                missing.add(dev);
            } else if (!r.get().output().matches("(?s).*[<,]UP[,>].*")) {
                down.add(dev);
            }
        }
        if (missing.isEmpty() && down.isEmpty()) {
            return new Check("ipip", Status.ok, "ipip0 and ip6tnl0 up", "");
        }
        String detail = (missing.isEmpty() ? "" : "missing: " + String.join(", ", missing))
                + (missing.isEmpty() || down.isEmpty() ? "" : "; ")
                + (down.isEmpty() ? "" : "down: " + String.join(", ", down));
        return new Check(
                "ipip",
                Status.warn,
                detail + " (health checks and decapsulation on this host need them)",
                "modprobe ipip ip6_tunnel && ip link set dev ipip0 up && ip link set dev ip6tnl0 up");
    }

    static Check rpFilter(Optional<String> dev) {
        List<String> names = new ArrayList<>(List.of("all"));
        dev.ifPresent(names::add);
        names.add("ipip0");
        List<String> strict = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String n : names) {
            Optional<String> v = read(Path.of("/proc/sys/net/ipv4/conf", n, "rp_filter"));
            if (v.isPresent()) {
                seen.add(n + "=" + v.get());
                if (v.get().equals("1")) {
                    strict.add(n);
                }
            }
        }
        if (strict.isEmpty()) {
            return new Check(
                    "rp_filter", Status.ok, "no strict reverse-path filtering (" + String.join(", ", seen) + ")", "");
        }
        StringBuilder fix = new StringBuilder();
        for (String n : strict) {
            fix.append(fix.length() == 0 ? "" : " && ")
                    .append("sysctl -w net.ipv4.conf.")
                    .append(n)
                    .append(".rp_filter=0");
        }
        return new Check(
                "rp_filter",
                Status.warn,
                "strict reverse-path filtering on " + String.join(", ", strict)
                        + " drops encapsulated and asymmetric traffic",
                fix.toString());
    }

    private static Optional<Integer> ifindex(String dev) {
        try {
            return Optional.of(Xdp.ifindex(dev));
        } catch (BpfException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private record Result(int exit, String output) {}

    private static Optional<Result> exec(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
