package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one LB's Raft traffic: iptables rules inside its namespace drop TCP to and from port 9870 on its control
 * link, both directions (its API on 9871 and the data path are untouched). {@link #heal()} removes exactly those
 * rules and returns how many packets they dropped.
 */
final class RaftPartition {
    static final int RAFT_PORT = 9870;

    private final LbNode lb;
    private boolean cut;

    RaftPartition(LbNode lb) {
        this.lb = lb;
    }

    void cut() {
        for (List<String> rule : rules()) {
            iptables("-I", rule);
        }
        cut = true;
    }

    /** Removes the rules; returns the packets they dropped. */
    long heal() {
        if (!cut) {
            return 0;
        }
        long dropped = dropped();
        for (List<String> rule : rules()) {
            iptables("-D", rule);
        }
        cut = false;
        return dropped;
    }

    /** Packets dropped by the rules so far (iptables' counters). */
    long dropped() {
        long sum = 0;
        for (String chain : List.of("INPUT", "OUTPUT")) {
            String out = lb.ns().exec("iptables", "-w", "-L", chain, "-v", "-x", "-n");
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].equals("DROP") && line.contains(":" + RAFT_PORT)) {
                    sum += Long.parseLong(f[0]);
                }
            }
        }
        return sum;
    }

    private List<List<String>> rules() {
        String dev = Topology.CONTROL_DEVICE;
        String port = Integer.toString(RAFT_PORT);
        List<List<String>> rules = new ArrayList<>();
        for (String dir : List.of("--dport", "--sport")) {
            rules.add(List.of("INPUT", "-i", dev, "-p", "tcp", dir, port, "-j", "DROP"));
            rules.add(List.of("OUTPUT", "-o", dev, "-p", "tcp", dir, port, "-j", "DROP"));
        }
        return rules;
    }

    private void iptables(String action, List<String> rule) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", action));
        cmd.addAll(rule);
        lb.ns().exec(cmd.toArray(String[]::new));
    }
}
