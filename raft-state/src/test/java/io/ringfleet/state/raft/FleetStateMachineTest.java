package io.ringfleet.state.raft;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.batch;
import static io.ringfleet.state.testing.Commands.bootstrap;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.StateQuery;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.snapshot.SnapshotCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** The state machine driven directly, as Ratis's apply thread drives it, without a cluster. */
class FleetStateMachineTest {
    static final io.ringfleet.api.VipKey WEB = vip("10.200.0.1", 80, TCP);

    /** What a publisher saw: the delta's base image, the delta's records and the new image. */
    record Seen(FleetImage base, int records, FleetImage image) {}

    static final class Recorder implements io.ringfleet.state.FleetPublisher {
        final List<Seen> seen = new ArrayList<>();

        @Override
        public void publish(FleetDelta delta, FleetImage image) {
            seen.add(new Seen(delta.image(), delta.records().size(), image));
        }
    }

    static BatchReply apply(FleetStateMachine sm, long term, long index, byte[] data) throws Exception {
        LogEntryProto entry = LogEntryProto.newBuilder()
                .setTerm(term)
                .setIndex(index)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                        .setLogData(ByteString.copyFrom(data))
                        .setClientId(ClientId.randomId().toByteString())
                        .setCallId(index))
                .build();
        TransactionContext trx = TransactionContext.newBuilder()
                .setStateMachine(sm)
                .setServerRole(RaftPeerRole.FOLLOWER)
                .setLogEntry(entry)
                .build();
        Message reply = sm.applyTransaction(trx).get();
        return BatchReply.parseFrom(reply.getContent().toByteArray());
    }

    static BatchReply apply(FleetStateMachine sm, long term, long index, CommandBatch batch) throws Exception {
        return apply(sm, term, index, batch.toByteArray());
    }

    @Test
    void aRejectedBatchLeavesTheStateButAdvancesTheAppliedIndex() throws Exception {
        FleetStateMachine sm = new FleetStateMachine();
        sm.notifyTermIndexUpdated(1, 0);
        BatchReply ok = apply(sm, 1, 1, batch(addVip(WEB), addReals(WEB, "10.0.0.1=1")));
        assertEquals(ReplyCode.OK, ok.getCode());
        assertEquals(1, ok.getLogIndex());
        FleetImage before = sm.image();

        BatchReply rejected = apply(sm, 1, 2, batch(removeVip(vip("10.200.0.9", 80, TCP))));
        assertEquals(ReplyCode.NOT_FOUND, rejected.getCode());
        assertEquals(0, rejected.getFailedCommandIndex());
        assertEquals(0, rejected.getRecordsCount());
        assertEquals(2, rejected.getLogIndex());
        assertEquals(1, rejected.getStateIndex());

        FleetImage after = sm.image();
        assertTrue(after.sameStateAs(before));
        assertEquals(before.digestHex(), after.digestHex());
        assertEquals(2, after.index());
        assertEquals(1, after.stateIndex());
        assertEquals(2, sm.getLastAppliedTermIndex().getIndex());
        StateStatus status = sm.status();
        assertEquals(2, status.getAppliedIndex());
        assertEquals(1, status.getBatchesApplied());
        assertEquals(1, status.getBatchesRejected());
    }

    @Test
    void bytesThatAreNotACommandBatchAreRejectedTheSameWayEverywhere() throws Exception {
        FleetStateMachine sm = new FleetStateMachine();
        sm.notifyTermIndexUpdated(1, 0);
        apply(sm, 1, 1, batch(addVip(WEB)));
        byte[] garbage = {(byte) 0xff, 0x01, 0x02};
        BatchReply a = apply(sm, 1, 2, garbage);
        FleetStateMachine other = new FleetStateMachine();
        other.notifyTermIndexUpdated(1, 0);
        apply(other, 1, 1, batch(addVip(WEB)));
        BatchReply b = apply(other, 1, 2, garbage);
        assertEquals(ReplyCode.INVALID_ARGUMENT, a.getCode());
        assertEquals(a, b);
        assertEquals(2, sm.image().index());
        assertEquals(sm.image().digestHex(), other.image().digestHex());
    }

    @Test
    void publishersReceiveEveryAppliedImageWithItsDeltaInLogOrder() throws Exception {
        FleetStateMachine sm = new FleetStateMachine();
        Recorder recorder = new Recorder();
        sm.addPublisher(recorder);
        sm.addPublisher((delta, image) -> {
            throw new IllegalStateException("a broken publisher does not stop the others or the apply");
        });
        sm.notifyTermIndexUpdated(1, 0); // Raft configuration entry
        apply(sm, 1, 1, batch(addVip(WEB))); // 1 record
        apply(sm, 1, 2, batch(addReals(WEB, "10.0.0.1=1", "10.0.0.2=2"))); // 1 record
        apply(sm, 1, 3, batch(addVip(WEB))); // rejected: ALREADY_EXISTS
        sm.notifyTermIndexUpdated(2, 4); // a new leader's entry
        apply(sm, 2, 5, batch(removeVip(WEB))); // 1 record

        List<Seen> seen = recorder.seen;
        assertEquals(6, seen.size());
        List<Long> indexes = seen.stream().map(s -> s.image().index()).toList();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), indexes);
        assertEquals(List.of(0, 1, 1, 0, 0, 1), seen.stream().map(Seen::records).toList());
        for (int i = 1; i < seen.size(); i++) {
            assertSame(seen.get(i - 1).image(), seen.get(i).base(), "each delta starts from the previous image");
        }
        assertSame(sm.image(), seen.get(seen.size() - 1).image());
        assertEquals(2, seen.get(4).image().term());
        assertEquals(5, sm.image().stateIndex());
        assertTrue(sm.image().vips().isEmpty());
    }

    @Test
    void theLeaderParsesTheBatchOnceAndRefusesBytesThatAreNotOne() throws Exception {
        FleetStateMachine sm = new FleetStateMachine();
        CommandBatch b = batch(addReals(WEB, "10.0.0.1=1"));
        TransactionContext trx = sm.startTransaction(request(b.toByteArray()));
        assertEquals(b, trx.getStateMachineContext());
        assertNull(trx.getException());
        TransactionContext bad = sm.startTransaction(request(new byte[] {(byte) 0xff, 0x01}));
        assertNotNull(bad.getException());
        assertTrue(
                bad.getException().getMessage().contains("not a CommandBatch"),
                bad.getException().getMessage());
    }

    @Test
    void theDefaultHashFunctionComesFromTheLogsSettingsNotFromAReplicasConfig() throws Exception {
        FleetStateMachine leader = new FleetStateMachine();
        CommandBatch sent = batch(addVip(WEB));
        TransactionContext trx = leader.startTransaction(request(sent.toByteArray()));
        assertEquals(sent, trx.getStateMachineContext(), "logged as sent: no replica's config is written into it");

        for (HashFunction fleetDefault : HashFunction.values()) {
            FleetLimits settings =
                    FleetLimits.builder().defaultHashFunction(fleetDefault).build();
            FleetStateMachine replica = new FleetStateMachine();
            replica.notifyTermIndexUpdated(1, 0);
            assertEquals(
                    ReplyCode.OK,
                    apply(replica, 1, 1, batch(bootstrap(settings, 1))).getCode());
            assertEquals(ReplyCode.OK, apply(replica, 1, 2, sent).getCode());
            assertEquals(
                    fleetDefault, replica.image().vips().get(0).orElseThrow().hashFunction());
        }
    }

    @Test
    void queriesAnswerTheStatusWithTheImageDigestAndTheImage() throws Exception {
        FleetStateMachine sm = new FleetStateMachine();
        sm.notifyTermIndexUpdated(1, 0);
        apply(sm, 1, 1, batch(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=3")));
        StateStatus status = StateStatus.parseFrom(
                sm.query(query(StateQuery.Kind.STATUS)).get().getContent().toByteArray());
        FleetImage image = sm.image();
        assertEquals(1, status.getAppliedIndex());
        assertEquals(1, status.getAppliedTerm());
        assertArrayEquals(image.digest(), status.getImageDigest().toByteArray());
        assertEquals(FleetLimits.RING_SIZE, status.getRingSize());
        assertEquals(1, status.getVipCount());
        assertEquals(2, status.getRealCount());
        FleetImage read = SnapshotCodec.decode(
                sm.query(query(StateQuery.Kind.IMAGE)).get().getContent().toByteArray());
        assertEquals(image, read);
        assertTrue(sm.query(Message.valueOf("not a query \u00ff")).isCompletedExceptionally());
    }

    static Message query(StateQuery.Kind kind) {
        return Message.valueOf(ByteString.copyFrom(
                StateQuery.newBuilder().setKind(kind).build().toByteArray()));
    }

    static RaftClientRequest request(byte[] content) {
        return RaftClientRequest.newBuilder()
                .setClientId(ClientId.randomId())
                .setServerId(RaftPeerId.valueOf("s1"))
                .setGroupId(RaftGroupId.randomId())
                .setCallId(1)
                .setMessage(Message.valueOf(ByteString.copyFrom(content)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
    }
}
