package io.ringfleet.chaos.bgp;

import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Namespaces;
import io.ringfleet.chaos.netns.Topology;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code scripts/bench-bgp.sh}: drain → withdrawn, undrain → back, host failure → withdrawn (BFD), return →
 * back, over REPEATS rounds on a 3-LB topology with FRR and BIRD; one line per step, the JSON last.
 * Arguments: {@code [repeats]} (default 20). Root.
 */
public final class BgpBench {
    private BgpBench() {}

    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? parseRepeats(args[0]) : 20;
        Namespaces.deleteStale();
        try (Topology topology =
                Topology.builder().lbs(3).backends(1).clients(1).build()) {
            Path dir = Files.createDirectories(
                    Path.of(System.getProperty("java.io.tmpdir"), "ringfleet-bgp-bench", topology.prefix()));
            BgpRouting bgp = BgpRouting.start(topology, dir, true, System.err::println);
            BgpExercise ex = new BgpExercise(bgp);
            ex.announceAll();
            System.err.println("timed against " + ex.watchName());
            for (int i = 0; i < repeats; i++) {
                LbNode lb = topology.lb(1 + i % topology.lbs().size());
                System.err.printf(
                        "round %d %s: drain %d ms, undrain %d ms, host failure %d ms, return %d ms%n",
                        i + 1, lb.id(), ex.drain(lb), ex.undrain(lb), ex.hostFailure(lb), ex.hostReturn(lb));
            }
            System.out.println(ex.summary());
            System.out.println(ex.json());
        }
    }

    private static int parseRepeats(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        System.err.println("bench-bgp: repeats must be 1..1000, got '" + text + "'");
        System.exit(2);
        return 0;
    }
}
