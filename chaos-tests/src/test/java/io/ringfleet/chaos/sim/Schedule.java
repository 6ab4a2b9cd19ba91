package io.ringfleet.chaos.sim;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;
import io.ringfleet.chaos.sim.Step.Submission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Everything a seed decides: the cluster's settings and a list of 10 to 24 steps (faults, writes, drains,
 * pauses), with every batch each agent will send. The same seed always gives the same schedule; what Ratis
 * does with it (who wins which election, when a heartbeat lands) depends on timing, and the invariants must
 * hold whatever that timing is.
 *
 * <p>The generator keeps at most one node impaired (stopped or cut off) most of the time, so that a majority
 * usually exists and writes commit; now and then a second impairment takes the majority away for a while.
 */
record Schedule(long seed, SimConfig config, List<Step> steps) {
    static final int NODES = 3;

    static List<String> nodeIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            ids.add("lb-n" + i);
        }
        return ids;
    }

    static Schedule of(long seed) {
        Random rnd = new Random(seed);
        SimConfig config = SimConfig.draw(rnd);
        ChangeGenerator changes = new ChangeGenerator(seed, nodeIds());
        Generator g = new Generator(rnd, changes);
        int n = 10 + rnd.nextInt(15);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            steps.add(g.next());
        }
        return new Schedule(seed, config, List.copyOf(steps));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append("schedule seed=")
                .append(seed)
                .append(": ")
                .append(steps.size())
                .append(" steps; ")
                .append(config);
        for (int i = 0; i < steps.size(); i++) {
            b.append(String.format("%n  #%02d %s", i + 1, steps.get(i)));
        }
        return b.toString();
    }

    /** Draws steps while tracking (as far as the seed knows) which nodes are down, cut off or slow. */
    private static final class Generator {
        private final Random rnd;
        private final ChangeGenerator changes;
        private final boolean[] down = new boolean[NODES];
        private final boolean[] cut = new boolean[NODES];
        private final boolean[] slow = new boolean[NODES];
        private int unknownDown; // stopped by KILL_LEADER: which node is decided at run time
        private int unknownCut; // cut by PARTITION_LEADER

        Generator(Random rnd, ChangeGenerator changes) {
            this.rnd = rnd;
            this.changes = changes;
        }

        private int impaired() {
            int n = unknownDown + unknownCut;
            for (int i = 0; i < NODES; i++) {
                n += down[i] || cut[i] ? 1 : 0;
            }
            return n;
        }

        private int anyDown() {
            for (int i = 0; i < NODES; i++) {
                if (down[i]) {
                    return i;
                }
            }
            return Step.ANY;
        }

        private int healthyNode() {
            List<Integer> ok = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                if (!down[i] && !cut[i]) {
                    ok.add(i);
                }
            }
            return ok.isEmpty() ? rnd.nextInt(NODES) : ok.get(rnd.nextInt(ok.size()));
        }

        private int dwell() {
            int r = rnd.nextInt(10);
            return r < 3 ? 0 : r < 8 ? 20 + rnd.nextInt(80) : 100 + rnd.nextInt(200);
        }

        private List<CommandBatch> batches(int min, int max) {
            int n = min + rnd.nextInt(max - min + 1);
            List<CommandBatch> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(changes.next());
            }
            return out;
        }

        private Step step(FaultKind kind, int node, int ms, List<Submission> submissions) {
            return new Step(kind, node, ms, submissions, dwell());
        }

        Step next() {
            int impaired = impaired();
            boolean anySlow = slow[0] || slow[1] || slow[2];
            // Weights of each kind in this state.
            int[] w = new int[FaultKind.values().length];
            w[FaultKind.SUBMIT.ordinal()] = 24;
            w[FaultKind.CONCURRENT.ordinal()] = 16;
            w[FaultKind.DRAIN.ordinal()] = 5;
            w[FaultKind.UNDRAIN.ordinal()] = 4;
            w[FaultKind.PAUSE.ordinal()] = 3;
            w[FaultKind.SNAPSHOT.ordinal()] = 5;
            w[FaultKind.TRANSFER_LEADER.ordinal()] = 5;
            w[FaultKind.SLOW.ordinal()] = anySlow ? 1 : 4;
            w[FaultKind.UNSLOW.ordinal()] = anySlow ? 6 : 0;
            if (impaired == 0) {
                w[FaultKind.KILL.ordinal()] = 6;
                w[FaultKind.KILL_LEADER.ordinal()] = 5;
                w[FaultKind.PARTITION.ordinal()] = 5;
                w[FaultKind.PARTITION_LEADER.ordinal()] = 4;
                w[FaultKind.SNAPSHOT_INSTALL.ordinal()] = 5;
            } else if (impaired == 1) {
                // Rarely, a second fault: no majority for a while.
                w[FaultKind.KILL.ordinal()] = 1;
                w[FaultKind.PARTITION.ordinal()] = 1;
            }
            boolean someDown = unknownDown > 0 || anyDown() != Step.ANY;
            boolean someCut = unknownCut > 0 || cut[0] || cut[1] || cut[2];
            w[FaultKind.RESTART.ordinal()] = someDown ? 14 : 0;
            w[FaultKind.RESTART_WIPED.ordinal()] = someDown ? 4 : 0;
            w[FaultKind.HEAL.ordinal()] = someCut ? 14 : 0;

            int total = 0;
            for (int x : w) {
                total += x;
            }
            int roll = rnd.nextInt(total);
            FaultKind kind = FaultKind.SUBMIT;
            // In Harness.SIMULATION's order: the order is part of what each seed means.
            for (FaultKind k : Harness.SIMULATION.kinds()) {
                roll -= w[k.ordinal()];
                if (roll < 0) {
                    kind = k;
                    break;
                }
            }
            switch (kind) {
                case SUBMIT: {
                    int via = rnd.nextInt(NODES);
                    return step(kind, via, 0, List.of(new Submission(via, batches(1, 4))));
                }
                case CONCURRENT: {
                    List<Submission> subs = new ArrayList<>();
                    int skip = rnd.nextInt(4); // 3 means nobody is left out
                    for (int via = 0; via < NODES; via++) {
                        if (via != skip) {
                            subs.add(new Submission(via, batches(1, 3)));
                        }
                    }
                    return step(kind, Step.ANY, 0, subs);
                }
                case DRAIN:
                case UNDRAIN: {
                    int via = rnd.nextInt(NODES);
                    int target = rnd.nextInt(NODES);
                    CommandBatch b = changes.drain(nodeIds().get(target), kind == FaultKind.DRAIN);
                    return step(kind, target, 0, List.of(new Submission(via, List.of(b))));
                }
                case KILL: {
                    int node = rnd.nextInt(NODES);
                    down[node] = true;
                    cut[node] = false;
                    return step(kind, node, 0, List.of());
                }
                case KILL_LEADER:
                    unknownDown++;
                    return step(kind, Step.ANY, 0, List.of());
                case RESTART:
                case RESTART_WIPED: {
                    int node = anyDown();
                    if (node != Step.ANY && (unknownDown == 0 || rnd.nextBoolean())) {
                        down[node] = false;
                    } else {
                        node = Step.ANY;
                        unknownDown = Math.max(0, unknownDown - 1);
                    }
                    return step(kind, node, 0, List.of());
                }
                case PARTITION: {
                    int node = rnd.nextInt(NODES);
                    cut[node] = true;
                    return step(kind, node, 0, List.of());
                }
                case PARTITION_LEADER:
                    unknownCut++;
                    return step(kind, Step.ANY, 0, List.of());
                case HEAL:
                    unknownCut = 0;
                    Arrays.fill(cut, false);
                    return step(kind, Step.ANY, 0, List.of());
                case SLOW: {
                    int node = rnd.nextInt(NODES);
                    slow[node] = true;
                    int[] delays = {20, 50, 100, 250};
                    return step(kind, node, delays[rnd.nextInt(delays.length)], List.of());
                }
                case UNSLOW: {
                    int node = 0;
                    while (!slow[node]) {
                        node++;
                    }
                    slow[node] = false;
                    return step(kind, node, 0, List.of());
                }
                case SNAPSHOT:
                    return step(kind, rnd.nextInt(NODES), 0, List.of());
                case SNAPSHOT_INSTALL: {
                    int node = rnd.nextInt(NODES);
                    int via = (node + 1 + rnd.nextInt(NODES - 1)) % NODES;
                    return step(kind, node, 0, List.of(new Submission(via, batches(4, 12))));
                }
                case TRANSFER_LEADER:
                    return step(kind, healthyNode(), 0, List.of());
                case PAUSE:
                    return step(kind, Step.ANY, 50 + rnd.nextInt(400), List.of());
                default:
                    throw new AssertionError(kind);
            }
        }
    }
}
