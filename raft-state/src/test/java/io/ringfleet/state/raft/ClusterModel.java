package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.RandomBatches;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import java.util.Map;

/**
 * The pure core beside a test cluster: it draws the random batches ({@link RandomBatches}, with its limits),
 * checks each reply of the cluster against the core's and moves on, and checks the peers' digests against its
 * image.
 */
final class ClusterModel {
    private final RandomBatches batches;
    private final BatchApplier core = new BatchApplier(new CommandValidator());
    private FleetImage image = FleetImage.EMPTY;
    private int step;

    ClusterModel(long seed) {
        this.batches = new RandomBatches(seed);
    }

    FleetImage image() {
        return image;
    }

    /** How many batches {@link #next} has drawn. */
    int step() {
        return step;
    }

    /** The batch of the next step. */
    CommandBatch next() {
        step++;
        return batches.next(image, step);
    }

    /** A batch drawn for the step after this one, without taking that step. */
    CommandBatch draw() {
        return batches.next(image, step + 1);
    }

    /** The reply must be the pure core's (else fails with {@code message}); the model then moves on. */
    void expect(CommandBatch batch, BatchReply reply, String message) {
        BatchApplier.Applied expected = core.apply(image, batch, new Provenance(1, reply.getLogIndex()));
        image = expected.image();
        assertEquals(expected.result().toReply(reply.getLogIndex(), image.stateIndex()), reply, message);
    }

    byte[] ringDigest() {
        return FleetRings.of(image, RandomBatches.LIMITS).digest();
    }

    /** Every peer in {@code statuses} has the model's image digest and ring digest. */
    void assertDigests(TestCluster cluster, Map<String, StateStatus> statuses, String where)
            throws InterruptedException {
        byte[] imageDigest = image.digest();
        byte[] ringDigest = ringDigest();
        for (Map.Entry<String, StateStatus> e : statuses.entrySet()) {
            StateStatus s = e.getValue();
            assertArrayEquals(imageDigest, s.getImageDigest().toByteArray(), where);
            assertArrayEquals(ringDigest, cluster.ringDigest(e.getKey(), s.getAppliedIndex()), where);
        }
    }

    /** {@link #assertDigests}, and every peer at the model's state index. */
    void assertSameState(TestCluster cluster, Map<String, StateStatus> statuses, String where)
            throws InterruptedException {
        assertDigests(cluster, statuses, where);
        for (StateStatus s : statuses.values()) {
            assertEquals(image.stateIndex(), s.getStateIndex(), where);
        }
    }
}
