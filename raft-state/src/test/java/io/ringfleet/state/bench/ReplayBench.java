package io.ringfleet.state.bench;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.snapshot.SnapshotCodec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * Replay throughput over a full fleet (512 VIPs x 100 members, {@link FleetFixture}), in records (or log
 * entries) per second:
 * <ul>
 *   <li>{@code snapshotRecords}: the 1024 records of the fleet's snapshot replayed into the empty image (one
 *       delta), what loading a snapshot costs beyond IO;
 *   <li>{@code logEntries}: 1000 one-record entries (a member's weight) each replayed as its own delta and
 *       applied, as a follower applies its log;
 *   <li>{@code stateMachineApply}: 1000 one-command batches through {@link BatchApplier} (validate, replay,
 *       apply), the pure part of FleetStateMachine.applyTransaction;
 *   <li>{@code batchApply}: one batch of 1000 SetRealWeights commands (one member each) through
 *       {@link BatchApplier}: many small changes in one log entry; the score is per command;
 *   <li>{@code buildBatchApply}: the whole fleet (512 AddVip + 512 AddReals of 100) as one batch from the
 *       empty image; the score is per command;
 *   <li>{@code digestAfterChange}: one weight change applied, then the new image's digest (what a STATUS
 *       read costs after each entry).
 * </ul>
 * Run with {@code scripts/bench-raft.sh}; see BENCHMARKS.md.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplayBench extends JmhDefaults {
    static final int VIPS = 512;
    static final int REALS_PER_VIP = 100;
    static final int SNAPSHOT_RECORDS = 2 * VIPS;
    static final int ENTRIES = 1000;

    private FleetImage image;
    private List<FleetRecord> snapshotRecords;
    private List<FleetRecord> weightRecords;
    private List<CommandBatch> weightBatches;
    private CommandBatch weightBatch;
    private CommandBatch buildBatch;
    private int digestStep;
    private BatchApplier applier;

    @Setup
    public void setUp() {
        image = FleetFixture.image(VIPS, REALS_PER_VIP);
        snapshotRecords = SnapshotCodec.toRecords(image);
        if (snapshotRecords.size() != SNAPSHOT_RECORDS) {
            throw new IllegalStateException(
                    "expected " + SNAPSHOT_RECORDS + " snapshot records, got " + snapshotRecords.size());
        }
        weightRecords = FleetFixture.weightChanges(image, ENTRIES, 1);
        weightBatches = FleetFixture.weightCommands(image, ENTRIES, 1);
        weightBatch = FleetFixture.weightBatch(image, ENTRIES, 2);
        buildBatch = FleetFixture.buildBatch(VIPS, REALS_PER_VIP);
        applier = new BatchApplier(new CommandValidator());
    }

    @Benchmark
    @OperationsPerInvocation(SNAPSHOT_RECORDS)
    public FleetImage snapshotRecords() {
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        delta.replayAll(snapshotRecords);
        return delta.apply(image.provenance(), image.stateIndex());
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public FleetImage logEntries() {
        FleetImage current = image;
        long index = image.index();
        for (FleetRecord r : weightRecords) {
            FleetDelta delta = new FleetDelta(current);
            delta.replay(r);
            current = delta.apply(new Provenance(1, ++index));
        }
        return current;
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public FleetImage stateMachineApply() {
        FleetImage current = image;
        long index = image.index();
        for (CommandBatch b : weightBatches) {
            current = applier.apply(current, b, new Provenance(1, ++index)).image();
        }
        return current;
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public FleetImage batchApply() {
        BatchApplier.Applied a = applier.apply(image, weightBatch, new Provenance(1, image.index() + 1));
        if (!a.result().isOk()) {
            throw new IllegalStateException("batch not applied as expected: " + a.result());
        }
        return a.image();
    }

    @Benchmark
    @OperationsPerInvocation(2 * VIPS)
    public FleetImage buildBatchApply() {
        BatchApplier.Applied a = applier.apply(FleetImage.EMPTY, buildBatch, new Provenance(1, 1));
        if (!a.result().isOk()) {
            throw new IllegalStateException("build batch rejected: " + a.result());
        }
        return a.image();
    }

    @Benchmark
    public byte[] digestAfterChange() {
        CommandBatch b = weightBatches.get(digestStep++ % ENTRIES);
        return applier.apply(image, b, new Provenance(1, image.index() + 1))
                .image()
                .digest();
    }
}
