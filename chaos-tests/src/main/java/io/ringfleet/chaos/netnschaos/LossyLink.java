package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes one LB's control link (Raft and its API) lossy and slow, inside its namespace, and undoes it.
 *
 * <p>With {@code tc netem} (probed when cut): 15% loss, 40 ms ± 20 ms delay and 25% reordering on egress. Kernels
 * built without netem refuse that qdisc; then the link gets what the kernel has: iptables rules that drop 15% of
 * the Raft packets at random in each direction ({@code -m statistic}), and a {@code tbf} rate limit of 512 kbit/s
 * whose queue delays the rest (no reordering). {@link #heal()} removes exactly what was added and returns how many
 * Raft packets it dropped; 0 would be a fault that did nothing.
 */
final class LossyLink {
    private static final String NETEM = "netem loss 15% delay 40ms 20ms reorder 25% 50%";
    private static final String LOSS = "0.15";

    private final LbNode lb;
    private String how = "";
    private boolean netem;
    private boolean on;

    LossyLink(LbNode lb) {
        this.lb = lb;
    }

    /** Applies the fault; returns how (netem, or the fallback). */
    String cut() {
        String dev = Topology.CONTROL_DEVICE;
        try {
            lb.ns().exec(cmd("tc qdisc add dev " + dev + " root " + NETEM));
            netem = true;
            how = "tc netem (" + NETEM.substring("netem ".length()) + ")";
        } catch (IllegalStateException refused) {
            // the kernel has no netem (probed: "Specified qdisc kind is unknown"): loss by iptables, delay by tbf
            for (List<String> rule : dropRules()) {
                iptables("-I", rule);
            }
            lb.ns().exec(cmd("tc qdisc add dev " + dev + " root tbf rate 512kbit burst 16kbit latency 200ms"));
            how = "iptables random drop of " + (int) (Double.parseDouble(LOSS) * 100)
                    + "% of Raft packets + tbf 512 kbit/s (no netem in this kernel)";
        }
        on = true;
        return how;
    }

    /** Removes the fault; returns the Raft packets it dropped (netem: every packet the qdisc dropped). */
    long heal() {
        if (!on) {
            return 0;
        }
        long dropped = dropped();
        lb.ns().exec(cmd("tc qdisc del dev " + Topology.CONTROL_DEVICE + " root"));
        if (!netem) {
            for (List<String> rule : dropRules()) {
                iptables("-D", rule);
            }
        }
        on = false;
        return dropped;
    }

    private long dropped() {
        if (netem) {
            String stats = lb.ns().exec(cmd("tc -s qdisc show dev " + Topology.CONTROL_DEVICE));
            // "Sent 1234 bytes 56 pkt (dropped 7, overlimits 0 requeues 0)"
            int at = stats.indexOf("dropped ");
            return at < 0
                    ? 0
                    : Long.parseLong(
                            stats.substring(at + 8, stats.indexOf(',', at)).strip());
        }
        long sum = 0;
        for (String chain : List.of("INPUT", "OUTPUT")) {
            for (String line : lb.ns()
                    .exec("iptables", "-w", "-L", chain, "-v", "-x", "-n")
                    .split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].equals("DROP") && line.contains("statistic")) {
                    sum += Long.parseLong(f[0]);
                }
            }
        }
        return sum;
    }

    private static List<List<String>> dropRules() {
        String dev = Topology.CONTROL_DEVICE;
        String port = Integer.toString(RaftPartition.RAFT_PORT);
        List<String> random = List.of("-m", "statistic", "--mode", "random", "--probability", LOSS, "-j", "DROP");
        List<List<String>> rules = new ArrayList<>();
        for (String dir : List.of("--dport", "--sport")) {
            rules.add(concat(List.of("INPUT", "-i", dev, "-p", "tcp", dir, port), random));
            rules.add(concat(List.of("OUTPUT", "-o", dev, "-p", "tcp", dir, port), random));
        }
        return rules;
    }

    private void iptables(String action, List<String> rule) {
        lb.ns().exec(concat(List.of("iptables", "-w", action), rule).toArray(String[]::new));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String[] cmd(String line) {
        return line.split(" ");
    }
}
