package io.ringfleet.chaos.netnschaos;

import java.util.ArrayList;
import java.util.List;

/**
 * The soak of real-process chaos: {@code NetnsChaosMain --scenarios N --from SEED [--faults K]} runs the scenarios
 * of seeds SEED .. SEED+N-1 one after the other (each on a fresh topology and fleet) and prints, last,
 * {@code netns-chaos: F faults (H host failures, ...), C connections, B broken} over all of them. Exit 0 when every scenario passed,
 * 1 otherwise (each failure says {@code reproduce with seed=...}), 2 on bad arguments.
 */
public final class NetnsChaosMain {
    private NetnsChaosMain() {}

    public static void main(String[] args) {
        int scenarios = 1;
        long from = 1;
        int faults = 8;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--scenarios" -> scenarios = Integer.parseInt(args[++i]);
                    case "--from" -> from = Long.parseLong(args[++i]);
                    case "--faults" -> faults = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (scenarios < 1 || faults < 1 || faults > 100) {
                throw new IllegalArgumentException("--scenarios must be ≥ 1 and --faults 1..100");
            }
        } catch (RuntimeException e) {
            System.err.println("netns-chaos: " + e.getMessage() + " (usage: --scenarios N --from SEED [--faults K])");
            System.exit(2);
        }
        System.exit(run(scenarios, from, faults));
    }

    static int run(int scenarios, long from, int faults) {
        long totalFaults = 0;
        long hostFailures = 0;
        long overlapping = 0;
        long disk = 0;
        long link = 0;
        long connections = 0;
        long broken = 0;
        List<String> failed = new ArrayList<>();
        for (long seed = from; seed < from + scenarios; seed++) {
            NetnsChaosResult r = NetnsChaosScenario.run(seed, faults, System.out::println);
            totalFaults += r.faults();
            hostFailures += r.hostFailures();
            overlapping += r.overlapping();
            disk += r.disk();
            link += r.link();
            connections += r.connections();
            broken += r.broken();
            if (!r.passed()) {
                failed.add("seed=" + seed + " (" + r.violations().size() + " violations, " + r.broken() + " broken)");
            }
        }
        System.out.println();
        System.out.println("netns-chaos: seeds " + from + ".." + (from + scenarios - 1) + ", " + scenarios
                + " scenarios, " + failed.size() + " failed" + (failed.isEmpty() ? "" : ": " + failed));
        System.out.println(
                NetnsChaosResult.summary(totalFaults, hostFailures, overlapping, disk, link, connections, broken));
        return failed.isEmpty() ? 0 : 1;
    }
}
