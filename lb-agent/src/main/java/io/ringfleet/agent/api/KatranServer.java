package io.ringfleet.agent.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.ringfleet.agent.security.Caller;
import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.ReadConsistency;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.SetGatewayMac;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.api.katran.ChangeKind;
import io.ringfleet.api.katran.CounterPair;
import io.ringfleet.api.katran.FlagBits;
import io.ringfleet.api.katran.KatranServiceGrpc;
import io.ringfleet.api.katran.MacAddress;
import io.ringfleet.api.katran.MarkDestination;
import io.ringfleet.api.katran.MarkOnly;
import io.ringfleet.api.katran.MarkTable;
import io.ringfleet.api.katran.NoArgs;
import io.ringfleet.api.katran.OneRealForVip;
import io.ringfleet.api.katran.Outcome;
import io.ringfleet.api.katran.QuicChange;
import io.ringfleet.api.katran.QuicList;
import io.ringfleet.api.katran.QuicServer;
import io.ringfleet.api.katran.RealList;
import io.ringfleet.api.katran.RealWithWeight;
import io.ringfleet.api.katran.RealsChange;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipList;
import io.ringfleet.api.katran.VipWithFlags;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.VipReal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Katran-compatible service ({@code lb.katran.KatranService}): every write becomes one command batch
 * that goes through the log like any Apply; reads come from a linearizable image and the datapath
 * counters.
 *
 * <p>Katran's conventions are kept where tooling depends on them: a write that is refused (malformed,
 * unknown VIP, duplicate, limit) answers {@code success: false} and the reason is logged; adding a real
 * that is already in the VIP sets its weight; deleting a real, or unmapping a QUIC server id, that is not
 * there is not an error. Failures that are not about the request — no permission, the log unavailable —
 * are gRPC errors, as are reads of a VIP that does not exist (NOT_FOUND).
 */
public final class KatranServer extends KatranServiceGrpc.KatranServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(KatranServer.class);

    private final FleetGateway gateway;
    private final BatchWriter writer;
    private final StatsSource stats;

    /** @param stats this node's datapath counters, or null (stats calls then answer UNAVAILABLE) */
    public KatranServer(FleetGateway gateway, BatchWriter writer, StatsSource stats) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.stats = stats;
    }

    // ---- writes ----

    @Override
    public void changeMac(io.ringfleet.api.katran.MacAddress request, StreamObserver<Outcome> out) {
        write(
                out,
                "changeMac",
                () -> List.of(Command.newBuilder()
                        .setSetGatewayMac(SetGatewayMac.newBuilder().setMac(request.getMac()))
                        .build()));
    }

    @Override
    public void addVip(VipWithFlags request, StreamObserver<Outcome> out) {
        write(
                out,
                "addVip",
                () -> List.of(Command.newBuilder()
                        .setAddVip(AddVip.newBuilder()
                                .setVip(vipKey(request.getVip()))
                                .setFlags(flags(request.getFlags())))
                        .build()));
    }

    @Override
    public void delVip(VipId request, StreamObserver<Outcome> out) {
        write(
                out,
                "delVip",
                () -> List.of(Command.newBuilder()
                        .setRemoveVip(RemoveVip.newBuilder().setVip(vipKey(request)))
                        .build()));
    }

    @Override
    public void modifyVip(VipWithFlags request, StreamObserver<Outcome> out) {
        write(out, "modifyVip", () -> {
            ModifyVipFlags.Builder m = ModifyVipFlags.newBuilder().setVip(vipKey(request.getVip()));
            int flags = flags(request.getFlags());
            if (request.getSetFlag()) {
                m.setSetFlags(flags);
            } else {
                m.setClearFlags(flags);
            }
            return List.of(Command.newBuilder().setModifyVipFlags(m).build());
        });
    }

    @Override
    public void addRealForVip(OneRealForVip request, StreamObserver<Outcome> out) {
        write(out, "addRealForVip", () -> List.of(addReals(request.getVip(), List.of(request.getReal()))));
    }

    @Override
    public void delRealForVip(OneRealForVip request, StreamObserver<Outcome> out) {
        write(out, "delRealForVip", () -> List.of(removeReals(request.getVip(), List.of(request.getReal()))));
    }

    @Override
    public void modifyRealsForVip(RealsChange request, StreamObserver<Outcome> out) {
        write(out, "modifyRealsForVip", () -> {
            List<RealWithWeight> reals = request.getReal().getRealsList();
            switch (request.getAction()) {
                case ADD:
                    return List.of(addReals(request.getVip(), reals));
                case DEL:
                    return List.of(removeReals(request.getVip(), reals));
                default:
                    throw new IllegalArgumentException(
                            "action " + request.getActionValue() + " is not known: allowed ADD (0) or DEL (1)");
            }
        });
    }

    @Override
    public void modifyQuicRealsMapping(QuicChange request, StreamObserver<Outcome> out) {
        List<QuicServer> servers = request.getReals().getQrealsList();
        if (request.getAction() == ChangeKind.DEL) {
            // Katran skips ids that are not mapped; the log's unmap is strict, so only mapped ids are sent.
            CompletableFuture<List<Command>> commands = gateway.read(
                            ReadConsistency.LINEARIZABLE, 0, ControlServer.readTimeout())
                    .thenApply(image -> {
                        UnmapQuicServerIds.Builder u = UnmapQuicServerIds.newBuilder();
                        for (QuicServer s : servers) {
                            long id = serverId(s.getId());
                            if (image.quicIds().get(id).isPresent()
                                    && !u.getServerIdsList().contains((int) id)) {
                                u.addServerIds((int) id);
                            }
                        }
                        return u.getServerIdsCount() == 0
                                ? List.of()
                                : List.of(Command.newBuilder()
                                        .setUnmapQuicServerIds(u)
                                        .build());
                    });
            writeAsync(out, "modifyQuicRealsMapping", commands);
            return;
        }
        write(out, "modifyQuicRealsMapping", () -> {
            if (request.getAction() != ChangeKind.ADD) {
                throw new IllegalArgumentException(
                        "action " + request.getActionValue() + " is not known: allowed ADD (0) or DEL (1)");
            }
            MapQuicServerIds.Builder m = MapQuicServerIds.newBuilder();
            for (QuicServer s : servers) {
                m.addMappings(QuicMapping.newBuilder()
                        .setServerId((int) serverId(s.getId()))
                        .setAddress(s.getAddress()));
            }
            return List.of(Command.newBuilder().setMapQuicServerIds(m).build());
        });
    }

    @Override
    public void addHealthcheckerDst(MarkDestination request, StreamObserver<Outcome> out) {
        write(
                out,
                "addHealthcheckerDst",
                () -> List.of(Command.newBuilder()
                        .setSetHealthCheckDst(SetHealthCheckDst.newBuilder()
                                .setSomark(request.getSomark())
                                .setAddress(request.getAddress()))
                        .build()));
    }

    @Override
    public void delHealthcheckerDst(MarkOnly request, StreamObserver<Outcome> out) {
        write(
                out,
                "delHealthcheckerDst",
                () -> List.of(Command.newBuilder()
                        .setRemoveHealthCheckDst(
                                RemoveHealthCheckDst.newBuilder().setSomark(request.getSomark()))
                        .build()));
    }

    // ---- reads ----

    @Override
    public void getMac(NoArgs request, StreamObserver<MacAddress> out) {
        read(
                out,
                "getMac",
                image -> MacAddress.newBuilder()
                        .setMac(image.gatewayMac().map(Object::toString).orElse(""))
                        .build());
    }

    @Override
    public void getAllVips(NoArgs request, StreamObserver<VipList> out) {
        read(out, "getAllVips", image -> {
            VipList.Builder b = VipList.newBuilder();
            for (VipImage vip : image.vips().all()) {
                b.addVips(vipId(vip.key()));
            }
            return b.build();
        });
    }

    @Override
    public void getVipFlags(VipId request, StreamObserver<FlagBits> out) {
        VipKey key = parseOrFail(request, out);
        if (key != null) {
            read(
                    out,
                    "getVipFlags",
                    image -> FlagBits.newBuilder()
                            .setFlags(Integer.toUnsignedLong(
                                    ControlServer.vip(image, key).flags()))
                            .build());
        }
    }

    @Override
    public void getRealsForVip(VipId request, StreamObserver<RealList> out) {
        VipKey key = parseOrFail(request, out);
        if (key != null) {
            read(out, "getRealsForVip", image -> {
                RealList.Builder b = RealList.newBuilder();
                for (VipReal r : ControlServer.vip(image, key).reals()) {
                    b.addReals(RealWithWeight.newBuilder()
                            .setAddress(r.address().toString())
                            .setWeight(r.weight()));
                }
                return b.build();
            });
        }
    }

    @Override
    public void getQuicRealsMapping(NoArgs request, StreamObserver<QuicList> out) {
        read(out, "getQuicRealsMapping", image -> {
            QuicList.Builder b = QuicList.newBuilder();
            for (io.ringfleet.state.QuicMapping m : image.quicIds().all()) {
                b.addQreals(QuicServer.newBuilder()
                        .setAddress(m.address().toString())
                        .setId((int) m.serverId()));
            }
            return b.build();
        });
    }

    @Override
    public void getHealthcheckersDst(NoArgs request, StreamObserver<MarkTable> out) {
        read(out, "getHealthcheckersDst", image -> {
            MarkTable.Builder b = MarkTable.newBuilder();
            for (Map.Entry<Long, IpAddress> e : image.healthChecks().all().entrySet()) {
                b.putHealthchecks(e.getKey().intValue(), e.getValue().toString());
            }
            return b.build();
        });
    }

    @Override
    public void getStatsForVip(VipId request, StreamObserver<CounterPair> out) {
        VipKey key = parseOrFail(request, out);
        if (key != null && checkStats(out)) {
            read(out, "getStatsForVip", image -> {
                StatsSource.Counter c = stats.read()
                        .vips()
                        .getOrDefault(ControlServer.vip(image, key).vipNum(), StatsSource.Counter.ZERO);
                return pair(c.packets(), c.bytes());
            });
        }
    }

    @Override
    public void getLruStats(NoArgs request, StreamObserver<CounterPair> out) {
        global(
                out,
                "getLruStats",
                s -> pair(s.global("lru_lookup").packets(), s.global("lru_hit").packets()));
    }

    @Override
    public void getLruMissStats(NoArgs request, StreamObserver<CounterPair> out) {
        global(
                out,
                "getLruMissStats",
                s -> pair(
                        s.global("lru_miss_tcp_syn").packets(),
                        s.global("lru_miss_tcp_other").packets()));
    }

    @Override
    public void getLruFallbackStats(NoArgs request, StreamObserver<CounterPair> out) {
        global(out, "getLruFallbackStats", s -> pair(s.global("fallback_hit").packets(), 0));
    }

    @Override
    public void getIcmpTooBigStats(NoArgs request, StreamObserver<CounterPair> out) {
        global(out, "getIcmpTooBigStats", s -> {
            StatsSource.Counter c = s.global("icmp_too_big");
            return pair(c.packets(), c.bytes());
        });
    }

    // ---- translation ----

    /** A request that cannot be translated into commands (Katran answers success: false for it). */
    @FunctionalInterface
    private interface Translation {
        List<Command> commands();
    }

    private static io.ringfleet.api.VipKey vipKey(VipId id) {
        if (id.getPort() < 0 || id.getPort() > 65535) {
            throw new IllegalArgumentException(
                    "vip port " + id.getPort() + " is out of range: allowed 0..65535 (0 = all ports)");
        }
        VipKeys.protocol(id.getProtocol());
        return io.ringfleet.api.VipKey.newBuilder()
                .setAddress(id.getAddress())
                .setPort(id.getPort())
                .setProtocolValue(id.getProtocol())
                .build();
    }

    private static int flags(long flags) {
        if (flags < 0 || flags > 0xffffffffL) {
            throw new IllegalArgumentException("flags " + flags + " are out of range: allowed 0..0xffffffff");
        }
        return (int) flags;
    }

    private static long serverId(int id) {
        if (id <= 0) {
            throw new IllegalArgumentException("quic server id " + id + " is out of range: ids start at 1");
        }
        return id;
    }

    private static Command addReals(VipId vip, List<RealWithWeight> reals) {
        AddReals.Builder a = AddReals.newBuilder().setVip(vipKey(vip)).setUpdateExisting(true);
        for (RealWithWeight r : reals) {
            if (r.getWeight() < 0) {
                throw new IllegalArgumentException("weight " + r.getWeight() + " of real " + r.getAddress()
                        + " is out of range: allowed 0..65535 (0 keeps the real in the vip but out of its ring)");
            }
            a.addReals(RealSpec.newBuilder().setAddress(r.getAddress()).setWeight(r.getWeight()));
        }
        return Command.newBuilder().setAddReals(a).build();
    }

    private static Command removeReals(VipId vip, List<RealWithWeight> reals) {
        RemoveReals.Builder r = RemoveReals.newBuilder().setVip(vipKey(vip)).setIgnoreMissing(true);
        for (RealWithWeight real : reals) {
            r.addAddresses(real.getAddress());
        }
        return Command.newBuilder().setRemoveReals(r).build();
    }

    private static VipId vipId(VipKey key) {
        return VipId.newBuilder()
                .setAddress(key.address().toString())
                .setPort(key.port())
                .setProtocol(key.protocol().number())
                .build();
    }

    private static CounterPair pair(long v1, long v2) {
        return CounterPair.newBuilder().setV1(v1).setV2(v2).build();
    }

    // ---- plumbing ----

    private void write(StreamObserver<Outcome> out, String what, Translation translation) {
        List<Command> commands;
        try {
            commands = translation.commands();
        } catch (IllegalArgumentException e) {
            LOG.info("katran {} by {} refused: {}", what, Caller.current().principal(), e.getMessage());
            reply(out, false);
            return;
        }
        writeAsync(out, what, CompletableFuture.completedFuture(commands));
    }

    private void writeAsync(StreamObserver<Outcome> out, String what, CompletableFuture<List<Command>> commands) {
        Caller caller = Caller.current();
        CompletableFuture<Boolean> done = commands.thenCompose(list -> {
            if (list.isEmpty()) {
                return CompletableFuture.completedFuture(true);
            }
            CommandBatch batch = writer.stamp(list, "", OptionalLong.empty(), caller);
            return writer.submit(batch).thenApply(committed -> {
                BatchReply reply = committed.reply();
                if (reply.getCode() != ReplyCode.OK) {
                    LOG.info(
                            "katran {} {} by {} rejected at log index {}: {} {}",
                            what,
                            batch.getRequestId(),
                            caller.principal(),
                            reply.getLogIndex(),
                            reply.getCode(),
                            reply.getMessage());
                    return false;
                }
                return true;
            });
        });
        done.whenComplete((ok, failure) -> {
            if (failure == null) {
                reply(out, ok);
                return;
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof IllegalArgumentException) {
                LOG.info("katran {} by {} refused: {}", what, caller.principal(), cause.getMessage());
                reply(out, false);
                return;
            }
            StatusRuntimeException status = Statuses.of(cause, "katran " + what);
            if (status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                LOG.info(
                        "katran {} by {} refused: {}",
                        what,
                        caller.principal(),
                        status.getStatus().getDescription());
                reply(out, false);
            } else {
                out.onError(status);
            }
        });
    }

    private static void reply(StreamObserver<Outcome> out, boolean success) {
        out.onNext(Outcome.newBuilder().setSuccess(success).build());
        out.onCompleted();
    }

    private <T> void read(StreamObserver<T> out, String what, Function<FleetImage, T> answer) {
        ControlServer.respond(
                out,
                "katran " + what,
                gateway.read(ReadConsistency.LINEARIZABLE, 0, ControlServer.readTimeout())
                        .thenApply(answer));
    }

    private boolean checkStats(StreamObserver<?> out) {
        if (stats == null) {
            out.onError(Status.UNAVAILABLE
                    .withDescription("node " + gateway.nodeId() + " has no datapath counters: no datapath is loaded")
                    .asRuntimeException());
            return false;
        }
        return true;
    }

    private void global(StreamObserver<CounterPair> out, String what, Function<StatsSource.Snapshot, CounterPair> f) {
        if (checkStats(out)) {
            CompletableFuture<CounterPair> result;
            try {
                result = CompletableFuture.completedFuture(f.apply(stats.read()));
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            ControlServer.respond(out, "katran " + what, result);
        }
    }

    private static VipKey parseOrFail(VipId id, StreamObserver<?> out) {
        try {
            return VipKeys.parse(vipKey(id));
        } catch (IllegalArgumentException e) {
            out.onError(Statuses.invalid(e.getMessage()));
            return null;
        }
    }
}
