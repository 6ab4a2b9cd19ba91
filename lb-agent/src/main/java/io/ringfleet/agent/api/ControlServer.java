package io.ringfleet.agent.api;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.ringfleet.agent.rings.RingView;
import io.ringfleet.agent.security.Caller;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.Counter;
import io.ringfleet.api.GetDigestsRequest;
import io.ringfleet.api.GetDigestsResponse;
import io.ringfleet.api.GetFleetSettingsRequest;
import io.ringfleet.api.GetFleetSettingsResponse;
import io.ringfleet.api.GetGatewayMacRequest;
import io.ringfleet.api.GetGatewayMacResponse;
import io.ringfleet.api.GetStatsRequest;
import io.ringfleet.api.GetStatsResponse;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.GetVipFlagsResponse;
import io.ringfleet.api.GetVipRequest;
import io.ringfleet.api.GetVipResponse;
import io.ringfleet.api.HistoryRequest;
import io.ringfleet.api.HistoryResponse;
import io.ringfleet.api.JoinFleetRequest;
import io.ringfleet.api.LeaveFleetRequest;
import io.ringfleet.api.ListHealthCheckDstsRequest;
import io.ringfleet.api.ListHealthCheckDstsResponse;
import io.ringfleet.api.ListNodesRequest;
import io.ringfleet.api.ListNodesResponse;
import io.ringfleet.api.ListQuicServerIdsRequest;
import io.ringfleet.api.ListQuicServerIdsResponse;
import io.ringfleet.api.ListRealsRequest;
import io.ringfleet.api.ListRealsResponse;
import io.ringfleet.api.ListVipsRequest;
import io.ringfleet.api.ListVipsResponse;
import io.ringfleet.api.MembershipResponse;
import io.ringfleet.api.ProgrammedProgress;
import io.ringfleet.api.ReadConsistency;
import io.ringfleet.api.ReadOptions;
import io.ringfleet.api.RealStats;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.VipRingDigest;
import io.ringfleet.api.VipStats;
import io.ringfleet.api.WaitProgrammedRequest;
import io.ringfleet.api.WaitProgrammedResponse;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.HistoryImage;
import io.ringfleet.state.Real;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.command.CommandResult;
import io.ringfleet.state.command.CommandValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator API ({@code ringfleet.v1.ControlService}) of one agent, over a {@link FleetGateway}.
 *
 * <p>Writes: one Apply is one log entry, stamped here ({@link BatchWriter}) and validated at apply time.
 * A rejection answers the gRPC status of its ReplyCode with the message verbatim and the failed
 * command's position in the {@code ringfleet-failed-command} trailer. A dry run validates against a
 * linearizable image and commits nothing. With {@code wait_programmed_fleet_wide} the answer comes once
 * every live node has programmed the entry, or at the timeout with {@code timed_out} set (the entry is
 * committed either way, so the call still succeeds).
 *
 * <p>Reads are served from an image chosen by their {@link ReadOptions}.
 */
public final class ControlServer extends ControlServiceGrpc.ControlServiceImplBase {
    /** Wait for programming when the request says 0. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    /** Longest wait a request may ask for. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    /** Longest a read waits for its image (less if the caller's deadline is nearer). */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** How long a fleet-wide status waits for the other nodes. */
    public static final Duration FLEET_STATUS_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final FleetGateway gateway;
    private final RingView rings;
    /** Entries a History call returns when it gives no limit. */
    static final int DEFAULT_HISTORY = 20;

    private final BatchWriter writer;
    private final ProgrammedWaiter waiter;
    private final CommandValidator validator;
    private final StatsSource stats;

    /**
     * @param stats this node's datapath counters, or null when the node has no datapath (GetStats then
     *     answers UNAVAILABLE)
     */
    public ControlServer(
            FleetGateway gateway, RingView rings, BatchWriter writer, ProgrammedWaiter waiter, StatsSource stats) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.rings = Objects.requireNonNull(rings, "rings");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.waiter = Objects.requireNonNull(waiter, "waiter");
        this.validator = new CommandValidator();
        this.stats = stats;
    }

    // ---- writes ----

    @Override
    public void apply(ApplyRequest request, StreamObserver<ApplyResponse> out) {
        Caller caller = Caller.current();
        Context call = Context.current();
        CommandBatch batch;
        Duration wait;
        try {
            wait = waitTimeout(request.getWaitTimeoutMs(), "wait_timeout_ms");
            if (request.hasExpectedStateIndex()) {
                Statuses.index(request.getExpectedStateIndex(), "expected_state_index");
            }
            batch = writer.stamp(
                    request.getCommandsList(),
                    request.getRequestId(),
                    request.hasExpectedStateIndex()
                            ? OptionalLong.of(request.getExpectedStateIndex())
                            : OptionalLong.empty(),
                    caller);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        if (request.getDryRun()) {
            respond(
                    out,
                    "dry run " + batch.getRequestId(),
                    gateway.read(ReadConsistency.LINEARIZABLE, 0, readTimeout())
                            .thenApply(image -> dryRun(image, batch)));
            return;
        }
        CompletableFuture<ApplyResponse> result = writer.submit(batch).thenCompose(committed -> {
            BatchReply reply = committed.reply();
            if (reply.getCode() != ReplyCode.OK) { // BatchWriter logged it
                throw Statuses.rejected(reply);
            }
            ApplyResponse.Builder response = ApplyResponse.newBuilder()
                    .setLogIndex(reply.getLogIndex())
                    .setTerm(committed.term())
                    .setStateIndex(reply.getStateIndex())
                    .addAllRecords(reply.getRecordsList())
                    .setRequestId(batch.getRequestId());
            if (!request.getWaitProgrammedFleetWide()) {
                return CompletableFuture.completedFuture(response.build());
            }
            return releaseOnCancel(call, waiter.await(reply.getLogIndex(), true, wait))
                    .thenApply(p -> response.setProgrammed(p).build());
        });
        respond(out, "apply " + batch.getRequestId(), result);
    }

    private ApplyResponse dryRun(FleetImage image, CommandBatch batch) {
        CommandResult result = validator.validate(image, batch);
        BatchReply reply = result.toReply(0, image.stateIndex());
        if (reply.getCode() != ReplyCode.OK) {
            throw Statuses.rejected(reply);
        }
        return ApplyResponse.newBuilder()
                .setStateIndex(image.stateIndex())
                .addAllRecords(reply.getRecordsList())
                .setRequestId(batch.getRequestId())
                .build();
    }

    // ---- reads ----

    @Override
    public void listVips(ListVipsRequest request, StreamObserver<ListVipsResponse> out) {
        read(request.getRead(), out, "ListVips", image -> {
            ListVipsResponse.Builder b =
                    ListVipsResponse.newBuilder().setStamp(ImageProtos.stamp(gateway.nodeId(), image));
            FleetRings imageRings = rings.of(image);
            for (VipImage vip : image.vips().all()) {
                b.addVips(ImageProtos.vip(vip, request.getWithReals(), imageRings));
            }
            return b.build();
        });
    }

    @Override
    public void getVip(GetVipRequest request, StreamObserver<GetVipResponse> out) {
        VipKey key = vipKeyOrFail(request.getVip(), request.hasVip(), out);
        if (key != null) {
            read(
                    request.getRead(),
                    out,
                    "GetVip",
                    image -> GetVipResponse.newBuilder()
                            .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                            .setVip(ImageProtos.vip(vip(image, key), true, rings.of(image)))
                            .build());
        }
    }

    @Override
    public void getVipFlags(GetVipRequest request, StreamObserver<GetVipFlagsResponse> out) {
        VipKey key = vipKeyOrFail(request.getVip(), request.hasVip(), out);
        if (key != null) {
            read(request.getRead(), out, "GetVipFlags", image -> {
                VipImage vip = vip(image, key);
                return GetVipFlagsResponse.newBuilder()
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .setFlags(vip.flags())
                        .addAllFlagNames(io.ringfleet.state.VipFlags.names(vip.flags()))
                        .build();
            });
        }
    }

    @Override
    public void listReals(ListRealsRequest request, StreamObserver<ListRealsResponse> out) {
        VipKey key = request.hasVip() ? vipKeyOrFail(request.getVip(), true, out) : null;
        if (request.hasVip() && key == null) {
            return;
        }
        read(
                request.getRead(),
                out,
                "ListReals",
                image -> ListRealsResponse.newBuilder()
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .addAllReals(key == null ? ImageProtos.realsTable(image) : ImageProtos.members(vip(image, key)))
                        .build());
    }

    @Override
    public void listHealthCheckDsts(
            ListHealthCheckDstsRequest request, StreamObserver<ListHealthCheckDstsResponse> out) {
        read(
                request.getRead(),
                out,
                "ListHealthCheckDsts",
                image -> ListHealthCheckDstsResponse.newBuilder()
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .addAllDsts(ImageProtos.healthChecks(image))
                        .build());
    }

    @Override
    public void listQuicServerIds(ListQuicServerIdsRequest request, StreamObserver<ListQuicServerIdsResponse> out) {
        read(
                request.getRead(),
                out,
                "ListQuicServerIds",
                image -> ListQuicServerIdsResponse.newBuilder()
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .addAllMappings(ImageProtos.quicIds(image))
                        .build());
    }

    @Override
    public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
        read(
                request.getRead(),
                out,
                "ListNodes",
                image -> ListNodesResponse.newBuilder()
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .addAllNodes(ImageProtos.drainedNodes(image))
                        .build());
    }

    @Override
    public void getRealHealth(
            io.ringfleet.api.GetRealHealthRequest request, StreamObserver<io.ringfleet.api.GetRealHealthResponse> out) {
        VipKey key = vipKeyOrFail(request.getVip(), request.hasVip(), out);
        if (key != null) {
            read(
                    request.getRead(),
                    out,
                    "GetRealHealth",
                    image -> RealHealthProtos.of(image, vip(image, key))
                            .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                            .build());
        }
    }

    @Override
    public void history(HistoryRequest request, StreamObserver<HistoryResponse> out) {
        int limit = request.getLimit() == 0 ? DEFAULT_HISTORY : request.getLimit();
        if (limit > HistoryImage.CAPACITY) {
            out.onError(Statuses.invalid(
                    "limit " + limit + " is more than the history keeps: allowed 1.." + HistoryImage.CAPACITY));
            return;
        }
        read(
                request.getRead(),
                out,
                "History",
                image -> HistoryResponse.newBuilder()
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .addAllEntries(ImageProtos.history(image.history().newest(limit)))
                        .setKept(image.history().size())
                        .build());
    }

    @Override
    public void getGatewayMac(GetGatewayMacRequest request, StreamObserver<GetGatewayMacResponse> out) {
        read(
                request.getRead(),
                out,
                "GetGatewayMac",
                image -> GetGatewayMacResponse.newBuilder()
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .setMac(image.gatewayMac().map(Object::toString).orElse(""))
                        .build());
    }

    @Override
    public void getFleetSettings(GetFleetSettingsRequest request, StreamObserver<GetFleetSettingsResponse> out) {
        read(
                request.getRead(),
                out,
                "GetFleetSettings",
                image -> ImageProtos.fleetSettings(image.settings())
                        .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                        .build());
    }

    // ---- convergence ----

    @Override
    public void getStatus(GetStatusRequest request, StreamObserver<GetStatusResponse> out) {
        GetStatusResponse.Builder b = GetStatusResponse.newBuilder();
        try {
            b.setSelf(gateway.localStatus());
            gateway.leaderId().ifPresent(b::setLeaderId);
        } catch (RuntimeException e) {
            out.onError(Statuses.of(e, "GetStatus"));
            return;
        }
        if (!request.getFleetWide()) {
            respond(out, "GetStatus", CompletableFuture.completedFuture(b.build()));
            return;
        }
        respond(
                out,
                "GetStatus",
                gateway.fleetStatus(FLEET_STATUS_TIMEOUT)
                        .thenApply(nodes -> b.addAllNodes(nodes).build()));
    }

    @Override
    public void getDigests(GetDigestsRequest request, StreamObserver<GetDigestsResponse> out) {
        read(request.getRead(), out, "GetDigests", image -> {
            FleetRings imageRings = rings.of(image);
            GetDigestsResponse.Builder b = GetDigestsResponse.newBuilder()
                    .setStamp(ImageProtos.stamp(gateway.nodeId(), image))
                    .setStateDigest(ByteString.copyFrom(image.digest()))
                    .setRingsDigest(ByteString.copyFrom(imageRings.digest()));
            for (VipImage vip : image.vips().all()) {
                VipRingDigest.Builder v = VipRingDigest.newBuilder()
                        .setVip(ImageProtos.vipKey(vip.key()))
                        .setVipNum(vip.vipNum());
                imageRings.ring(vip.vipNum()).ifPresent(r -> v.setRingDigest(ByteString.copyFrom(r.ringDigest())));
                b.addVips(v);
            }
            return b.build();
        });
    }

    @Override
    public void waitProgrammed(WaitProgrammedRequest request, StreamObserver<WaitProgrammedResponse> out) {
        CompletableFuture<ProgrammedProgress> waiting;
        try {
            Duration wait = waitTimeout(request.getTimeoutMs(), "timeout_ms");
            long index = Statuses.index(request.getIndex(), "index");
            waiting = releaseOnCancel(Context.current(), waiter.await(index, request.getFleetWide(), wait));
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        respond(
                out,
                "WaitProgrammed",
                waiting.thenApply(
                        p -> WaitProgrammedResponse.newBuilder().setProgress(p).build()));
    }

    /**
     * Cancels {@code wait} when the call ends: a caller that cancels or disconnects (or whose deadline passes)
     * frees the wait at once instead of at its timeout. The call's context is cancelled when the call ends in
     * any way, so its listener list does not grow either.
     */
    private static <T> CompletableFuture<T> releaseOnCancel(Context call, CompletableFuture<T> wait) {
        call.addListener(c -> wait.cancel(false), MoreExecutors.directExecutor());
        return wait;
    }

    // ---- membership ----

    @Override
    public void leaveFleet(LeaveFleetRequest request, StreamObserver<MembershipResponse> out) {
        changeMembership("LeaveFleet", request.getNodeId(), gateway::leave, out);
    }

    @Override
    public void joinFleet(JoinFleetRequest request, StreamObserver<MembershipResponse> out) {
        changeMembership("JoinFleet", request.getNodeId(), gateway::join, out);
    }

    private void changeMembership(
            String what,
            String nodeId,
            Function<String, CompletableFuture<Membership>> change,
            StreamObserver<MembershipResponse> out) {
        String principal = Caller.current().printable();
        respond(out, what + " " + nodeId, change.apply(nodeId).thenApply(members -> {
            LOG.info("{} {} by {}: Raft configuration now {}", what, nodeId, principal, members);
            return members.toProto();
        }));
    }

    // ---- stats ----

    @Override
    public void getStats(GetStatsRequest request, StreamObserver<GetStatsResponse> out) {
        if (stats == null) {
            out.onError(Status.UNAVAILABLE
                    .withDescription("node " + gateway.nodeId() + " has no datapath counters: no datapath is loaded")
                    .asRuntimeException());
            return;
        }
        VipKey key = request.hasVip() ? vipKeyOrFail(request.getVip(), true, out) : null;
        if (request.hasVip() && key == null) {
            return;
        }
        read(
                ReadOptions.newBuilder().setConsistency(ReadConsistency.LOCAL).build(),
                out,
                "GetStats",
                image -> stats(image, key, request.getWithReals()));
    }

    private GetStatsResponse stats(FleetImage image, VipKey only, boolean withReals) {
        StatsSource.Snapshot s = stats.read();
        GetStatsResponse.Builder b = GetStatsResponse.newBuilder().setNodeId(gateway.nodeId());
        List<VipImage> vips = only == null ? new ArrayList<>(image.vips().all()) : List.of(vip(image, only));
        for (VipImage vip : vips) {
            StatsSource.Counter c = s.vips().getOrDefault(vip.vipNum(), StatsSource.Counter.ZERO);
            b.addVips(VipStats.newBuilder()
                    .setVip(ImageProtos.vipKey(vip.key()))
                    .setVipNum(vip.vipNum())
                    .setPackets(c.packets())
                    .setBytes(c.bytes()));
        }
        if (withReals) {
            if (only == null) {
                for (Real r : image.reals().all()) {
                    b.addReals(realStats(r.index(), r.address().toString(), s));
                }
            } else {
                for (VipReal r : vips.get(0).reals()) {
                    b.addReals(realStats(r.realIndex(), r.address().toString(), s));
                }
            }
        }
        for (StatsSource.NamedCounter c : s.global()) {
            b.addGlobal(Counter.newBuilder()
                    .setName(c.name())
                    .setPackets(c.value().packets())
                    .setBytes(c.value().bytes()));
        }
        return b.build();
    }

    private static RealStats realStats(int index, String address, StatsSource.Snapshot s) {
        StatsSource.Counter c = s.reals().getOrDefault(index, StatsSource.Counter.ZERO);
        return RealStats.newBuilder()
                .setAddress(address)
                .setRealIndex(index)
                .setPackets(c.packets())
                .setBytes(c.bytes())
                .build();
    }

    // ---- helpers ----

    private <T> void read(ReadOptions options, StreamObserver<T> out, String what, Function<FleetImage, T> answer) {
        if (options.getConsistency() == ReadConsistency.UNRECOGNIZED) {
            out.onError(Statuses.invalid("read consistency " + options.getConsistencyValue()
                    + " is not known: allowed LINEARIZABLE (0) or LOCAL (1)"));
            return;
        }
        long minApplied;
        try {
            minApplied = Statuses.index(options.getMinAppliedIndex(), "min_applied_index");
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        respond(
                out,
                what,
                gateway.read(options.getConsistency(), minApplied, readTimeout())
                        .thenApply(answer));
    }

    static VipImage vip(FleetImage image, VipKey key) {
        return image.vips()
                .get(key)
                .orElseThrow(() -> Status.NOT_FOUND
                        .withDescription("vip " + key + " does not exist")
                        .asRuntimeException());
    }

    private static VipKey vipKeyOrFail(io.ringfleet.api.VipKey proto, boolean present, StreamObserver<?> out) {
        if (!present) {
            out.onError(
                    Statuses.invalid("vip is missing: give its address, port (0..65535) and protocol (TCP or UDP)"));
            return null;
        }
        try {
            return VipKeys.parse(proto);
        } catch (IllegalArgumentException e) {
            out.onError(Statuses.invalid(e.getMessage()));
            return null;
        }
    }

    private static Duration waitTimeout(int millis, String field) {
        if (millis == 0) {
            return DEFAULT_WAIT;
        }
        long ms = Integer.toUnsignedLong(millis);
        if (ms > MAX_WAIT.toMillis()) {
            throw Statuses.invalid(field + " " + ms + " is above the maximum " + MAX_WAIT.toMillis()
                    + " (10 minutes); 0 means the default " + DEFAULT_WAIT.toMillis());
        }
        return Duration.ofMillis(ms);
    }

    /** {@link #READ_TIMEOUT}, or less if the caller's deadline comes sooner. */
    static Duration readTimeout() {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            return READ_TIMEOUT;
        }
        long left = Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS));
        return Duration.ofMillis(Math.min(left, READ_TIMEOUT.toMillis()));
    }

    static <T> void respond(StreamObserver<T> out, String what, CompletableFuture<T> result) {
        result.whenComplete((value, failure) -> {
            if (failure != null) {
                out.onError(Statuses.of(failure, what));
            } else {
                out.onNext(value);
                out.onCompleted();
            }
        });
    }
}
