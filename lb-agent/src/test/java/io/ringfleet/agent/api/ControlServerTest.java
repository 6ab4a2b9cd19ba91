package io.ringfleet.agent.api;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.applyRequest;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import io.ringfleet.api.AddReals;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ControlServiceGrpc.ControlServiceBlockingStub;
import io.ringfleet.api.GetStatsRequest;
import io.ringfleet.api.GetStatsResponse;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.GetVipRequest;
import io.ringfleet.api.GetVipResponse;
import io.ringfleet.api.ListRealsRequest;
import io.ringfleet.api.ListVipsRequest;
import io.ringfleet.api.ListVipsResponse;
import io.ringfleet.api.ReadConsistency;
import io.ringfleet.api.ReadOptions;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.WaitProgrammedRequest;
import io.ringfleet.api.WaitProgrammedResponse;
import io.ringfleet.state.FleetImage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ControlService over mutual TLS, against the in-process log double: what the server owns (status codes,
 * verbatim messages, stamping, atomicity as seen by a caller, edge limits, waits, roles).
 */
class ControlServerTest {
    static TestPki pki;

    ApiFixture api;
    ControlServiceBlockingStub alice;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.shared();
    }

    @BeforeEach
    void start() throws Exception {
        api = ApiFixture.start(pki);
        alice = api.control("alice");
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private static final VipKey WEB = vip("10.200.200.1", 80, TCP);

    /** Asserts the call failed with this code, the message contains {@code text}, and the state did not move. */
    private StatusRuntimeException assertRejected(Status.Code code, String text, Runnable call) {
        FleetImage before = api.log.image();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(text), e.getStatus().getDescription());
        FleetImage after = api.log.image();
        assertTrue(after.sameStateAs(before), "the state changed");
        assertEquals(before.stateIndex(), after.stateIndex());
        assertArrayEquals(before.digest(), after.digest());
        return e;
    }

    @Test
    void addedVipAndRealsAreVisibleInReads() {
        ApplyResponse r =
                alice.apply(applyRequest(addVip(WEB), addReals(WEB, "10.0.0.1=5"), addReals(WEB, "10.0.0.2=7")));
        assertEquals(1, r.getLogIndex());
        assertEquals(1, r.getStateIndex());
        assertEquals(1, r.getTerm());
        assertEquals(3, r.getRecordsCount());
        assertEquals(0, r.getRecords(0).getVipAdded().getVipNum());

        ListVipsResponse vips =
                alice.listVips(ListVipsRequest.newBuilder().setWithReals(true).build());
        assertEquals("lb1", vips.getStamp().getNodeId());
        assertEquals(1, vips.getStamp().getAppliedIndex());
        assertEquals(1, vips.getVipsCount());
        assertEquals("10.200.200.1", vips.getVips(0).getVip().getAddress());
        assertEquals(2, vips.getVips(0).getRealCount());

        GetVipResponse vip = alice.getVip(GetVipRequest.newBuilder().setVip(WEB).build());
        assertEquals(
                List.of("10.0.0.1", "10.0.0.2"),
                vip.getVip().getRealsList().stream().map(x -> x.getAddress()).toList());
        assertEquals(
                List.of(5, 7),
                vip.getVip().getRealsList().stream().map(x -> x.getWeight()).toList());
        assertEquals(
                List.of(1, 2),
                vip.getVip().getRealsList().stream().map(x -> x.getRealIndex()).toList());

        assertEquals(2, alice.listReals(ListRealsRequest.getDefaultInstance()).getRealsCount());
    }

    @Test
    void everyEntryCarriesThePrincipalOfTheClientCertificateTheTimeAndTheRequestId() {
        alice.apply(ApplyRequest.newBuilder()
                .addCommands(addVip(WEB))
                .setRequestId("change-42")
                .build());
        ApplyResponse generated = alice.apply(applyRequest(addReals(WEB, "10.0.0.1=1")));
        List<CommandBatch> entries = api.log.entries();
        assertEquals(2, entries.size());
        assertEquals("alice", entries.get(0).getPrincipal());
        assertEquals(ApiFixture.NOW.toEpochMilli(), entries.get(0).getTimestampMillis());
        assertEquals("change-42", entries.get(0).getRequestId());
        assertTrue(entries.get(1).getRequestId().startsWith("req-"));
        assertEquals(entries.get(1).getRequestId(), generated.getRequestId());
    }

    @Test
    void malformedAddressIsInvalidArgumentWithTheValidatorsMessage() {
        StatusRuntimeException e = assertRejected(
                Status.Code.INVALID_ARGUMENT,
                "is not a valid IP address",
                () -> alice.apply(applyRequest(addVip(vip("10.0.0.256", 80, TCP)))));
        assertEquals(
                "command 0 (add_vip): vip address \"10.0.0.256\" is not a valid IP address (IPv4 octet 256 is above"
                        + " 255): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets",
                e.getStatus().getDescription());
        assertEquals("0", Status.trailersFromThrowable(e).get(Statuses.FAILED_COMMAND));
    }

    @Test
    void unknownVipIsNotFound() {
        assertRejected(
                Status.Code.NOT_FOUND,
                "vip 10.200.200.1:80/tcp does not exist",
                () -> alice.apply(applyRequest(addReals(WEB, "10.0.0.1=1"))));
        assertRejected(Status.Code.NOT_FOUND, "does not exist", () -> alice.apply(applyRequest(removeVip(WEB))));
        assertRejected(
                Status.Code.NOT_FOUND,
                "vip 10.200.200.1:80/tcp does not exist",
                () -> alice.getVip(GetVipRequest.newBuilder().setVip(WEB).build()));
    }

    @Test
    void outOfRangeWeightIsInvalidArgument() {
        alice.apply(applyRequest(addVip(WEB), addReals(WEB, "10.0.0.1=1")));
        assertRejected(
                Status.Code.INVALID_ARGUMENT,
                "weight 70000 of real 10.0.0.1 is out of range: allowed 0..65535",
                () -> alice.apply(applyRequest(setWeights(WEB, "10.0.0.1=70000"))));
        assertRejected(
                Status.Code.INVALID_ARGUMENT,
                "weight 65536 of real 10.0.0.9 is out of range",
                () -> alice.apply(applyRequest(addReals(WEB, "10.0.0.9=65536"))));
    }

    @Test
    void duplicateAddIsAlreadyExists() {
        alice.apply(applyRequest(addVip(WEB), addReals(WEB, "10.0.0.1=1")));
        assertRejected(
                Status.Code.ALREADY_EXISTS,
                "vip 10.200.200.1:80/tcp already exists",
                () -> alice.apply(applyRequest(addVip(WEB))));
        assertRejected(
                Status.Code.ALREADY_EXISTS,
                "real 10.0.0.1 is already in vip",
                () -> alice.apply(applyRequest(addReals(WEB, "10.0.0.1=3"))));
    }

    @Test
    void aBatchIsAllOrNothingAndNamesTheFailedCommand() {
        StatusRuntimeException e = assertRejected(
                Status.Code.INVALID_ARGUMENT,
                "command 2 (add_reals)",
                () -> alice.apply(
                        applyRequest(addVip(WEB), addReals(WEB, "10.0.0.1=1"), addReals(WEB, "not-an-ip=1"))));
        assertEquals("2", Status.trailersFromThrowable(e).get(Statuses.FAILED_COMMAND));
        assertEquals(0, alice.listVips(ListVipsRequest.getDefaultInstance()).getVipsCount());
    }

    @Test
    void limitsAreResourceExhausted() {
        Command[] vips = new Command[9];
        for (int i = 0; i < vips.length; i++) {
            vips[i] = addVip(vip("10.1.0." + (i + 1), 80, TCP));
        }
        assertRejected(
                Status.Code.RESOURCE_EXHAUSTED,
                "all 8 vip numbers (0..7) are in use",
                () -> alice.apply(applyRequest(vips)));
    }

    @Test
    void batchOfTooManyCommandsIsRefusedAtTheEdgeWithTheLimit() {
        ApplyRequest.Builder b = ApplyRequest.newBuilder();
        for (int i = 0; i < BatchWriter.MAX_COMMANDS + 1; i++) {
            b.addCommands(addVip(vip("10.2." + (i / 250) + "." + (i % 250 + 1), 80, TCP)));
        }
        assertRejected(
                Status.Code.INVALID_ARGUMENT,
                "the batch has 1001 commands: at most 1000 per batch",
                () -> alice.apply(b.build()));
        assertTrue(api.log.entries().isEmpty(), "an oversize batch must not reach the log");
    }

    @Test
    void batchOfTooManyBytesIsRefusedAtTheEdgeWithTheLimit() {
        AddReals.Builder reals = AddReals.newBuilder().setVip(WEB);
        for (int i = 0; i < 80_000; i++) {
            reals.addReals(RealSpec.newBuilder()
                    .setAddress("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255))
                    .setWeight(1));
        }
        assertRejected(
                Status.Code.INVALID_ARGUMENT,
                "bytes (1 MiB) per batch",
                () -> alice.apply(
                        applyRequest(Command.newBuilder().setAddReals(reals).build())));
        assertTrue(api.log.entries().isEmpty());
    }

    @Test
    void emptyBatchIsInvalid() {
        assertRejected(Status.Code.INVALID_ARGUMENT, "the batch has no commands", () -> alice.apply(applyRequest()));
    }

    @Test
    void staleExpectedStateIndexIsFailedPrecondition() {
        alice.apply(applyRequest(addVip(WEB)));
        assertRejected(
                Status.Code.FAILED_PRECONDITION,
                "expected state index 0 but the state is at index 1",
                () -> alice.apply(ApplyRequest.newBuilder()
                        .addCommands(removeVip(WEB))
                        .setExpectedStateIndex(0)
                        .build()));
        ApplyResponse ok = alice.apply(ApplyRequest.newBuilder()
                .addCommands(removeVip(WEB))
                .setExpectedStateIndex(1)
                .build());
        assertEquals(3, ok.getStateIndex(), "the rejected entry took index 2");
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void indexesOf2To63OrMoreAreRefusedAtTheEdge() {
        alice.apply(applyRequest(addVip(WEB)));
        // uint64 2^64-1 and 2^63 as Java longs: compared as longs they were below every index.
        for (long index : new long[] {-1L, Long.MIN_VALUE}) {
            String above = Long.toUnsignedString(index) + " is above the largest log index " + Long.MAX_VALUE
                    + ": give an index from a write's reply or from 'lbctl status'";
            StatusRuntimeException e = assertRejected(
                    Status.Code.INVALID_ARGUMENT,
                    "index",
                    () -> alice.waitProgrammed(WaitProgrammedRequest.newBuilder()
                            .setIndex(index)
                            .setFleetWide(true)
                            .setTimeoutMs(100)
                            .build()));
            assertEquals("index " + above, e.getStatus().getDescription());
            e = assertRejected(
                    Status.Code.INVALID_ARGUMENT,
                    "expected_state_index",
                    () -> alice.apply(ApplyRequest.newBuilder()
                            .addCommands(removeVip(WEB))
                            .setExpectedStateIndex(index)
                            .build()));
            assertEquals("expected_state_index " + above, e.getStatus().getDescription());
            e = assertRejected(
                    Status.Code.INVALID_ARGUMENT,
                    "min_applied_index",
                    () -> alice.listVips(ListVipsRequest.newBuilder()
                            .setRead(ReadOptions.newBuilder()
                                    .setConsistency(ReadConsistency.LOCAL)
                                    .setMinAppliedIndex(index))
                            .build()));
            assertEquals("min_applied_index " + above, e.getStatus().getDescription());
        }
        assertEquals(1, api.log.entries().size(), "nothing was written");
        assertEquals(1, api.log.image().vips().size());
    }

    @Test
    void dryRunShowsTheRecordsAndCommitsNothing() {
        ApplyResponse r = alice.apply(ApplyRequest.newBuilder()
                .addCommands(addVip(WEB))
                .setDryRun(true)
                .build());
        assertEquals(0, r.getLogIndex());
        assertEquals(1, r.getRecordsCount());
        assertTrue(api.log.entries().isEmpty());
        assertTrue(api.log.image().vips().isEmpty());
        assertRejected(
                Status.Code.NOT_FOUND,
                "does not exist",
                () -> alice.apply(ApplyRequest.newBuilder()
                        .addCommands(removeVip(WEB))
                        .setDryRun(true)
                        .build()));
    }

    @Test
    void waitFleetWideReturnsOnceEveryLiveNodeProgrammed() throws Exception {
        api.log.setProgrammedAll(Map.of("lb2", 0L, "lb3", 0L));
        Thread programmer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            api.log.setProgrammed("lb2", 1);
            api.log.setProgrammed("lb3", 1);
        });
        programmer.start();
        long start = System.nanoTime();
        ApplyResponse r = alice.apply(ApplyRequest.newBuilder()
                .addCommands(addVip(WEB))
                .setWaitProgrammedFleetWide(true)
                .setWaitTimeoutMs(10_000)
                .build());
        programmer.join();
        assertTrue(System.nanoTime() - start >= 250_000_000L, "returned before the nodes programmed");
        assertFalse(r.getProgrammed().getTimedOut());
        assertEquals(3, r.getProgrammed().getNodesLive());
        assertEquals(3, r.getProgrammed().getNodesProgrammed());
    }

    @Test
    void waitFleetWideTimesOutWithTheLaggingNodesButTheWriteStands() {
        api.log.setProgrammedAll(Map.of("lb2", 0L, "lb3", 0L));
        ApplyResponse r = alice.apply(ApplyRequest.newBuilder()
                .addCommands(addVip(WEB))
                .setWaitProgrammedFleetWide(true)
                .setWaitTimeoutMs(200)
                .build());
        assertTrue(r.getProgrammed().getTimedOut());
        assertEquals(List.of("lb2", "lb3"), r.getProgrammed().getLaggingNodesList());
        assertEquals(1, r.getProgrammed().getNodesProgrammed());
        assertEquals(1, api.log.image().vips().size());
    }

    @Test
    void waitTimeoutAboveTheMaximumIsRefusedBeforeAnythingIsWritten() {
        assertRejected(
                Status.Code.INVALID_ARGUMENT,
                "is above the maximum 600000",
                () -> alice.apply(ApplyRequest.newBuilder()
                        .addCommands(addVip(WEB))
                        .setWaitProgrammedFleetWide(true)
                        .setWaitTimeoutMs(700_000)
                        .build()));
        assertTrue(api.log.entries().isEmpty());
    }

    @Test
    void waitProgrammedAnswersForThisNodeOrTheFleet() {
        alice.apply(applyRequest(addVip(WEB)));
        api.log.setProgrammed("lb2", 0);
        WaitProgrammedResponse local = alice.waitProgrammed(
                WaitProgrammedRequest.newBuilder().setIndex(1).setTimeoutMs(100).build());
        assertFalse(local.getProgress().getTimedOut());
        WaitProgrammedResponse fleet = alice.waitProgrammed(WaitProgrammedRequest.newBuilder()
                .setIndex(1)
                .setFleetWide(true)
                .setTimeoutMs(100)
                .build());
        assertTrue(fleet.getProgress().getTimedOut());
        assertEquals(List.of("lb2"), fleet.getProgress().getLaggingNodesList());
    }

    @Test
    void statusReportsThisNodeAndTheFleet() {
        alice.apply(applyRequest(addVip(WEB)));
        api.log.setProgrammed("lb2", 1);
        GetStatusResponse local = alice.getStatus(GetStatusRequest.getDefaultInstance());
        assertEquals("lb1", local.getSelf().getNodeId());
        assertEquals(1, local.getSelf().getAppliedIndex());
        assertEquals("lb1", local.getLeaderId());
        assertEquals(0, local.getNodesCount());
        GetStatusResponse fleet =
                alice.getStatus(GetStatusRequest.newBuilder().setFleetWide(true).build());
        assertEquals(
                List.of("lb1", "lb2"),
                fleet.getNodesList().stream().map(n -> n.getNodeId()).toList());
    }

    @Test
    void statsNameVipsAndRealsByTheImage() {
        alice.apply(applyRequest(addVip(WEB), addReals(WEB, "10.0.0.1=1")));
        TreeMap<Integer, StatsSource.Counter> vips = new TreeMap<>(Map.of(0, new StatsSource.Counter(10, 1000)));
        TreeMap<Integer, StatsSource.Counter> reals = new TreeMap<>(Map.of(1, new StatsSource.Counter(7, 700)));
        api.stats.set(new StatsSource.Snapshot(
                vips, reals, List.of(new StatsSource.NamedCounter("lru_hit", new StatsSource.Counter(3, 0)))));
        GetStatsResponse r =
                alice.getStats(GetStatsRequest.newBuilder().setWithReals(true).build());
        assertEquals("lb1", r.getNodeId());
        assertEquals(10, r.getVips(0).getPackets());
        assertEquals("10.200.200.1", r.getVips(0).getVip().getAddress());
        assertEquals("10.0.0.1", r.getReals(0).getAddress());
        assertEquals(700, r.getReals(0).getBytes());
        assertEquals("lru_hit", r.getGlobal(0).getName());
    }

    @Test
    void anUnavailableLogIsUnavailable() {
        api.log.setUnavailable("no leader: 1 of 3 voters reachable");
        StatusRuntimeException e =
                assertThrows(StatusRuntimeException.class, () -> alice.apply(applyRequest(addVip(WEB))));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("no leader: 1 of 3 voters reachable", e.getStatus().getDescription());
    }
}
