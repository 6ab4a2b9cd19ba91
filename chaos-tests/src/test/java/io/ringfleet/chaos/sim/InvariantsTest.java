package io.ringfleet.chaos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.DrainNode;
import io.ringfleet.chaos.sim.Invariants.Violation;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checkers themselves, on made-up observations: each invariant, broken on purpose, is reported. */
class InvariantsTest {
    private final BatchApplier applier = new BatchApplier(new CommandValidator());
    private final Invariants invariants = new Invariants();

    private static CommandBatch drain(String node, String requestId) {
        return CommandBatch.newBuilder()
                .setRequestId(requestId)
                .setPrincipal("sim-op")
                .setViaNode("lb1")
                .setTimestampMillis(1_750_000_000_000L)
                .addCommands(
                        Command.newBuilder().setDrainNode(DrainNode.newBuilder().setNodeId(node)))
                .build();
    }

    /** A recorder that applied these batches at indexes 1, 2, ... from the empty image. */
    private Recorder applied(String label, CommandBatch... batches) {
        Recorder r = new Recorder();
        r.bind(label, 1);
        FleetImage image = FleetImage.EMPTY;
        r.publish(new FleetDelta(image), image);
        long index = 0;
        for (CommandBatch b : batches) {
            BatchApplier.Applied a = applier.apply(image, b, new Provenance(1, ++index));
            r.publish(a.delta(), a.image());
            image = a.image();
        }
        return r;
    }

    private BatchReply replyOf(CommandBatch batch, long index, FleetImage before) {
        BatchApplier.Applied a = applier.apply(before, batch, new Provenance(1, index));
        return a.result().toReply(index, a.image().stateIndex());
    }

    private List<String> invariantsBroken() {
        return invariants.violations().stream()
                .map(Violation::invariant)
                .distinct()
                .toList();
    }

    @Test
    void twoLeadersInOneTermAreReported() {
        invariants.leaderSeen(3, "n0");
        invariants.leaderSeen(3, "n0");
        invariants.leaderSeen(4, "n1");
        assertTrue(invariants.violations().isEmpty());
        invariants.leaderSeen(4, "n2");
        assertEquals(List.of("one leader per term"), invariantsBroken());
    }

    @Test
    void replicasThatDisagreeAtOneIndexAreReported() {
        Recorder a = applied("n0", drain("lb-n0", "r1"), drain("lb-n1", "r2"));
        Recorder b = applied("n1", drain("lb-n0", "r1"), drain("lb-n2", "r2"));
        invariants.check(List.of(a, b), List.of(a, b), Map.of(), Map.of());
        assertEquals(List.of("equal index, equal state"), invariantsBroken());
        assertTrue(
                invariants.violations().get(0).detail().contains("applied index 2"),
                invariants.violations().toString());
    }

    @Test
    void identicalReplicasPass() {
        Recorder a = applied("n0", drain("lb-n0", "r1"), drain("lb-n1", "r2"));
        Recorder b = applied("n1", drain("lb-n0", "r1"), drain("lb-n1", "r2"));
        invariants.acknowledged(drain("lb-n0", "r1"), replyOf(drain("lb-n0", "r1"), 1, FleetImage.EMPTY), "n0");
        invariants.check(List.of(a, b), List.of(a, b), Map.of(), Map.of());
        assertEquals(List.of(), invariants.violations());
    }

    @Test
    void anAcknowledgedWriteThatANodeAppliedDifferentlyIsReported() {
        CommandBatch acked = drain("lb-n0", "r1");
        BatchReply reply = replyOf(acked, 1, FleetImage.EMPTY);
        invariants.acknowledged(acked, reply, "n0");
        Recorder other = applied("n2", drain("lb-n2", "r9"));
        invariants.check(List.of(other), List.of(other), Map.of(), Map.of());
        assertEquals(List.of("acknowledged"), invariantsBroken());
    }

    @Test
    void twoAcknowledgedWritesAtOneIndexAreReported() {
        invariants.acknowledged(drain("lb-n0", "r1"), replyOf(drain("lb-n0", "r1"), 5, FleetImage.EMPTY), "n0");
        invariants.acknowledged(drain("lb-n1", "r2"), replyOf(drain("lb-n1", "r2"), 5, FleetImage.EMPTY), "n1");
        assertEquals(List.of("acknowledged"), invariantsBroken());
    }

    @Test
    void aNodePastAnAcknowledgedIndexThatNeverAppliedItIsReported() {
        // Acknowledged at index 3, but this node's history goes 1, 2, then jumps... by a step at 4 only.
        CommandBatch acked = drain("lb-n0", "r3");
        invariants.acknowledged(acked, replyOf(acked, 3, FleetImage.EMPTY), "n0");
        Recorder r = new Recorder();
        r.bind("n1", 1);
        FleetImage image = FleetImage.EMPTY;
        r.publish(new FleetDelta(image), image);
        for (long index : new long[] {1, 2, 4}) {
            FleetDelta d = new FleetDelta(image);
            FleetImage next = d.apply(new Provenance(1, index));
            r.publish(d, next);
            image = next;
        }
        invariants.check(List.of(r), List.of(r), Map.of(), Map.of());
        assertTrue(
                invariantsBroken().contains("acknowledged"),
                invariants.violations().toString());
    }

    @Test
    void anAppliedIndexGoingBackIsReported() {
        Recorder r = new Recorder();
        r.bind("n0", 1);
        FleetImage at5 = FleetImage.EMPTY.withProvenance(new Provenance(1, 5));
        r.publish(new FleetDelta(FleetImage.EMPTY), at5);
        FleetDelta back = new FleetDelta(at5);
        r.publish(back, FleetImage.EMPTY.withProvenance(new Provenance(1, 4)));
        invariants.check(List.of(r), List.of(r), Map.of(), Map.of());
        assertEquals(List.of("applied index only grows"), invariantsBroken());
    }

    @Test
    void aSnapshotInTheHistoryIsAJumpNotAStep() {
        Recorder r = applied("n0", drain("lb-n0", "r1"));
        FleetImage snapshot = applier.apply(FleetImage.EMPTY, drain("lb-n1", "x"), new Provenance(2, 40))
                .image();
        r.publish(new FleetDelta(FleetImage.EMPTY), snapshot);
        List<Recorder.Applied> all = r.all();
        assertTrue(all.get(all.size() - 1).jump());
        assertTrue(!all.get(1).jump());
    }
}
