package io.ringfleet.state.bench;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.snapshot.SnapshotCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@link ReplayBench}'s cases in thread CPU time per operation (12 windows of 200 ms of CPU time, the first 3
 * dropped; best and median window), for a machine shared with other jobs: thread CPU time does not count
 * the time the thread waits for a core, which is most of JMH's error bars there. Same fixture (512 VIPs x
 * 100 members) and the same operations. Run: {@code scripts/bench-raft.sh --cpu}.
 */
public final class ReplayCpuTime {
    private ReplayCpuTime() {}

    public static void main(String[] args) {
        FleetImage image = FleetFixture.image(ReplayBench.VIPS, ReplayBench.REALS_PER_VIP);
        List<FleetRecord> snapshot = SnapshotCodec.toRecords(image);
        List<FleetRecord> weightRecords = FleetFixture.weightChanges(image, ReplayBench.ENTRIES, 1);
        List<CommandBatch> weightBatches = FleetFixture.weightCommands(image, ReplayBench.ENTRIES, 1);
        CommandBatch weightBatch = FleetFixture.weightBatch(image, ReplayBench.ENTRIES, 2);
        CommandBatch buildBatch = FleetFixture.buildBatch(ReplayBench.VIPS, ReplayBench.REALS_PER_VIP);
        BatchApplier applier = new BatchApplier(new CommandValidator());
        int[] step = {0};

        measure("stateMachineApply", "us/entry (1 SetRealWeights batch)", ReplayBench.ENTRIES, () -> {
            FleetImage current = image;
            long index = image.index();
            for (CommandBatch b : weightBatches) {
                current = applier.apply(current, b, new Provenance(1, ++index)).image();
            }
            return current;
        });
        measure("logEntries", "us/entry (1 RealWeightChanged record)", ReplayBench.ENTRIES, () -> {
            FleetImage current = image;
            long index = image.index();
            for (FleetRecord r : weightRecords) {
                FleetDelta delta = new FleetDelta(current);
                delta.replay(r);
                current = delta.apply(new Provenance(1, ++index));
            }
            return current;
        });
        measure(
                "batchApply",
                "us/command (one batch of 1,000 SetRealWeights)",
                ReplayBench.ENTRIES,
                () -> applier.apply(image, weightBatch, new Provenance(1, image.index() + 1))
                        .image());
        measure(
                "buildBatchApply",
                "us/command (one batch: 512 AddVip + 512 AddReals x 100)",
                2 * ReplayBench.VIPS,
                () -> applier.apply(FleetImage.EMPTY, buildBatch, new Provenance(1, 1))
                        .image());
        measure("snapshotRecords", "us/record (1,024 records, 51,200 members)", ReplayBench.SNAPSHOT_RECORDS, () -> {
            FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
            delta.replayAll(snapshot);
            return delta.apply(image.provenance(), image.stateIndex());
        });
        measure(
                "digestAfterChange",
                "us/(entry + digest)",
                1,
                () -> applier.apply(
                                image,
                                weightBatches.get(step[0]++ % weightBatches.size()),
                                new Provenance(1, image.index() + 1))
                        .image()
                        .digest());
    }

    private static void measure(String name, String unit, int opsPerCall, Supplier<Object> call) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < 3_000_000_000L) {
            call.get();
        }
        double[] windows = new double[12];
        int sink = 0;
        for (int w = 0; w < windows.length; w++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long calls = 0;
            while (threads.getCurrentThreadCpuTime() - c0 < 200_000_000L) {
                sink += System.identityHashCode(call.get()) & 1;
                calls++;
            }
            windows[w] = (threads.getCurrentThreadCpuTime() - c0) / 1e3 / calls / opsPerCall;
        }
        double[] sorted = Arrays.copyOfRange(windows, 3, windows.length);
        Arrays.sort(sorted);
        System.out.printf(
                "%-18s cpu %-48s best %10.2f  median %10.2f  -> %,.0f ops/s of CPU (sink %d)%n",
                name, unit, sorted[0], sorted[sorted.length / 2], 1e6 / sorted[sorted.length / 2], sink % 2);
    }
}
