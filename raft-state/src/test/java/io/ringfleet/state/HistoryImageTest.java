package io.ringfleet.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringfleet.api.BatchAudited;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.Commands;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit trail in the image: made by applying batches, bounded, outside the state, kept by snapshots. */
class HistoryImageTest {
    private final BatchApplier applier = new BatchApplier(new CommandValidator());

    @Test
    void appliedAndRejectedBatchesAreBothRecordedButOnlyAppliedOnesChangeTheState() {
        CommandBatch add = Commands.batch("alice", "r1", Commands.addVip(Commands.vip("10.0.0.1", 80, Commands.TCP)));
        FleetImage one =
                applier.apply(FleetImage.EMPTY, add, new Provenance(1, 1)).image();
        FleetImage two = applier.apply(one, add.toBuilder().setRequestId("r2").build(), new Provenance(1, 2))
                .image();
        List<BatchAudited> newest = two.history().newest(10);
        assertEquals(2, newest.size());
        assertEquals(ReplyCode.ALREADY_EXISTS, newest.get(0).getCode());
        assertEquals("r2", newest.get(0).getRequestId());
        assertEquals(ReplyCode.OK, newest.get(1).getCode());
        assertEquals("alice", newest.get(1).getPrincipal());
        assertEquals(1, two.stateIndex(), "the rejected batch did not move the state index");
        assertArrayEquals(one.digest(), two.digest(), "nor the digest");
    }

    @Test
    void theOldestEntriesAreDroppedBeyondTheCapacity() {
        FleetImage image = FleetImage.EMPTY;
        int batches = HistoryImage.CAPACITY + 5;
        for (int i = 1; i <= batches; i++) {
            CommandBatch remove =
                    Commands.batch("bob", "r" + i, Commands.removeVip(Commands.vip("10.0.0.9", 80, Commands.TCP)));
            image = applier.apply(image, remove, new Provenance(1, i)).image();
        }
        assertEquals(HistoryImage.CAPACITY, image.history().size());
        assertEquals(6, image.history().all().get(0).getLogIndex(), "entries 1..5 were dropped");
        assertEquals(batches, image.history().newest(1).get(0).getLogIndex());
    }

    @Test
    void aSnapshotKeepsTheHistory() {
        FleetImage image = FleetImage.EMPTY;
        for (int i = 1; i <= 5; i++) {
            CommandBatch add = Commands.batch(
                    "op", "r" + i, Commands.addVip(Commands.vip("10.0.0." + (i % 3 + 1), 80, Commands.TCP)));
            image = applier.apply(image, add, new Provenance(2, i)).image();
        }
        List<FleetRecord> records = SnapshotCodec.toRecords(image);
        FleetImage loaded = SnapshotCodec.fromRecords(records, image.provenance(), image.stateIndex());
        assertEquals(image.history(), loaded.history());
        assertEquals(image, loaded);
    }

    @Test
    void anEntryOutOfLogOrderDoesNotReplay() {
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        delta.replay(audit(5));
        assertThrows(ReplayException.class, () -> delta.replay(audit(5)));
    }

    private static FleetRecord audit(long index) {
        return FleetRecord.newBuilder()
                .setBatchAudited(BatchAudited.newBuilder().setLogIndex(index).setPrincipal("p"))
                .build();
    }
}
