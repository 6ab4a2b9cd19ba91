package io.ringfleet.chaos.sim;

import java.util.Random;

/**
 * The Raft and snapshot settings of one simulated cluster, drawn from the schedule's seed: short election
 * timeouts (so that a schedule takes about a second), snapshot thresholds and purge options that make
 * snapshots, purges and snapshot installs happen within a few dozen entries, and either purge policy that
 * {@code FleetNode} supports.
 *
 * @param electionMinMs Raft election timeout lower bound (the upper bound is twice that)
 * @param snapshotThreshold a snapshot every so many applied entries (automatic)
 * @param snapshotsRetained snapshots kept on disk
 * @param purgeUpToSnapshot purge the log up to the snapshot even past a lagging follower (then it gets the
 *     snapshot); false keeps the log for the slowest follower (FleetNode's default)
 * @param purgeGap least entries purged at once
 * @param purgePreservation entries kept behind a snapshot when purging
 * @param segmentSizeMax log segment size in bytes (only closed segments are purged)
 * @param snapshotOnStop whether a server stopping takes a snapshot first
 */
record SimConfig(
        int electionMinMs,
        int snapshotThreshold,
        int snapshotsRetained,
        boolean purgeUpToSnapshot,
        int purgeGap,
        int purgePreservation,
        int segmentSizeMax,
        boolean snapshotOnStop) {

    static SimConfig draw(Random rnd) {
        int[] elections = {100, 150, 200};
        int[] thresholds = {8, 16, 32, 100_000};
        int threshold = thresholds[rnd.nextInt(thresholds.length)];
        int[] preservations = {0, 0, 4, Math.min(threshold, 64)};
        int[] segments = {2048, 4096, 16 * 1024};
        return new SimConfig(
                elections[rnd.nextInt(elections.length)],
                threshold,
                1 + rnd.nextInt(3),
                rnd.nextInt(4) != 0,
                rnd.nextBoolean() ? 1 : 4,
                preservations[rnd.nextInt(preservations.length)],
                segments[rnd.nextInt(segments.length)],
                rnd.nextInt(4) == 0);
    }

    @Override
    public String toString() {
        return "election " + electionMinMs + ".." + 2 * electionMinMs + " ms, snapshot every "
                + (snapshotThreshold >= 100_000 ? "(never: only when asked)" : snapshotThreshold + " entries")
                + ", keep " + snapshotsRetained + ", purge "
                + (purgeUpToSnapshot ? "up to the snapshot" : "behind the slowest follower")
                + " (gap " + purgeGap + ", preserve " + purgePreservation + "), segments " + segmentSizeMax + " B"
                + (snapshotOnStop ? ", snapshot on stop" : "");
    }
}
