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
import io.ringfleet.api.katran.RealFlagsChange;
import io.ringfleet.api.katran.RealList;
import io.ringfleet.api.katran.RealWithWeight;
import io.ringfleet.api.katran.RealsChange;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipList;
import io.ringfleet.api.katran.VipWithFlags;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.PrintableText;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.VipReal;
import java.util.ArrayList;
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
 * The Katran-compatible service ({@code lb.katran.KatranService}): every write becomes command batches
 * that go through the log like any Apply; reads come from a linearizable image and the datapath
 * counters.
 *
 * <p>Katran's semantics as its gRPC server serves them: a write that is refused (malformed, unknown VIP,
 * duplicate, limit) answers gRPC status CANCELLED (Katran's {@code returnStatus(false)}), here with the
 * one-line reason as the status description; adding a real that is already in the VIP sets its weight;
 * the list writes ({@code modifyRealsForVip}, {@code addRealForVip}, {@code delRealForVip},
 * {@code modifyQuicRealsMapping}) apply their valid entries and skip the others (logged), as Katran does.
 * Failures that are not about the request — no permission, the log unavailable — keep their gRPC codes.
 */
public final class KatranServer extends KatranServiceGrpc.KatranServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(KatranServer.class);

    /** Katran's real flag bit for an IPv6 address: Katran keeps it by the address, never from a request. */
    private static final int V6DADDR = 1;

    /** Katran's getVipFlags answer for a VIP it does not know: -1, as the unsigned 64-bit field carries it. */
    static final long UNKNOWN_VIP_FLAGS = -1L;

    private final FleetGateway gateway;
    private final BatchWriter writer;
    private final StatsSource stats;
    private final io.ringfleet.state.MacAddress defaultGatewayMac;

    /** @param stats this node's datapath counters, or null (stats calls then answer UNAVAILABLE) */
    public KatranServer(FleetGateway gateway, BatchWriter writer, StatsSource stats) {
        this(gateway, writer, stats, null);
    }

    /**
     * @param stats this node's datapath counters, or null (stats calls then answer UNAVAILABLE)
     * @param defaultGatewayMac the node's configured gateway MAC, which the datapath forwards to until the log
     *     sets one ({@code getMac} answers it then); null when the node has none (no datapath)
     */
    public KatranServer(
            FleetGateway gateway,
            BatchWriter writer,
            StatsSource stats,
            io.ringfleet.state.MacAddress defaultGatewayMac) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.stats = stats;
        this.defaultGatewayMac = defaultGatewayMac;
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
    public void modifyReal(RealFlagsChange request, StreamObserver<Outcome> out) {
        // Katran: an invalid address or a real it does not know is refused; the V6DADDR bit (1) is its own and
        // is ignored. Ringfleet's log holds no real flags (no real flag has a datapath meaning here), so setting
        // any other bit is refused with that reason instead of being dropped; clearing bits is a no-op success
        // (the flags are always 0).
        Caller caller = Caller.current();
        CompletableFuture<List<Command>> none = gateway.read(
                        ReadConsistency.LINEARIZABLE, 0, ControlServer.readTimeout())
                .thenApply(image -> {
                    IpAddress address = parseAddress(request.getAddress(), "real");
                    if (image.reals().get(address).isEmpty()) {
                        throw new IllegalArgumentException("real " + address + " does not exist");
                    }
                    int bits = request.getFlags() & ~V6DADDR;
                    if (request.getSetFlag() && bits != 0) {
                        throw new IllegalArgumentException(String.format(
                                "real flags 0x%x of %s are not kept: Ringfleet's log holds no real flags"
                                        + " (they have no datapath meaning here)",
                                bits, address));
                    }
                    return List.of();
                });
        writeAsync(out, "modifyReal", caller, none.thenApply(x -> List.of()));
    }

    @Override
    public void addRealForVip(OneRealForVip request, StreamObserver<Outcome> out) {
        modifyReals(out, "addRealForVip", ChangeKind.ADD, request.getVip(), List.of(request.getReal()));
    }

    @Override
    public void delRealForVip(OneRealForVip request, StreamObserver<Outcome> out) {
        modifyReals(out, "delRealForVip", ChangeKind.DEL, request.getVip(), List.of(request.getReal()));
    }

    @Override
    public void modifyRealsForVip(RealsChange request, StreamObserver<Outcome> out) {
        if (request.getAction() != ChangeKind.ADD && request.getAction() != ChangeKind.DEL) {
            refuse(
                    out,
                    "modifyRealsForVip",
                    Caller.current(),
                    "action " + request.getActionValue() + " is not known: allowed ADD (0) or DEL (1)");
            return;
        }
        modifyReals(
                out,
                "modifyRealsForVip",
                request.getAction(),
                request.getVip(),
                request.getReal().getRealsList());
    }

    /**
     * Katran's per-entry list write: an unknown (or malformed) VIP refuses the call; then each real that is
     * malformed, of the other address family, or (DEL) not in the VIP is skipped and logged, and the others are
     * applied. In the log: the valid entries go as one batch, one command per real (one log entry, applied
     * together); if the state machine rejects that batch (e.g. the reals limit), each entry is sent again as its
     * own batch, one log entry each, in request order, and the rejected ones are skipped — so only then is the
     * call not atomic, as Katran's is not.
     */
    private void modifyReals(
            StreamObserver<Outcome> out, String what, ChangeKind action, VipId vip, List<RealWithWeight> reals) {
        Caller caller = Caller.current();
        CompletableFuture<List<List<Command>>> entries = gateway.read(
                        ReadConsistency.LINEARIZABLE, 0, ControlServer.readTimeout())
                .thenApply(image -> {
                    io.ringfleet.api.VipKey key = vipKey(vip);
                    VipImage current = image.vips()
                            .get(VipKeys.parse(key))
                            .orElseThrow(() ->
                                    new IllegalArgumentException("vip " + VipKeys.parse(key) + " does not exist"));
                    List<List<Command>> out2 = new ArrayList<>();
                    for (RealWithWeight r : reals) {
                        try {
                            IpAddress address = parseAddress(r.getAddress(), "real");
                            if (address.isV6() != current.key().address().isV6()) {
                                throw new IllegalArgumentException(
                                        "real " + address + " is not of vip " + current.key() + "'s address family");
                            }
                            if (action == ChangeKind.DEL) {
                                boolean present = current.reals().stream()
                                        .anyMatch(x -> x.address().equals(address));
                                if (!present) {
                                    throw new IllegalArgumentException(
                                            "real " + address + " is not in vip " + current.key());
                                }
                                out2.add(List.of(removeReals(key, List.of(r))));
                            } else {
                                int bits = r.getFlags() & ~V6DADDR;
                                if (bits != 0) {
                                    LOG.info(
                                            "katran {} by {}: flags 0x{} of real {} not kept: Ringfleet's log"
                                                    + " holds no real flags",
                                            what,
                                            caller.printable(),
                                            Integer.toHexString(bits),
                                            address);
                                }
                                out2.add(List.of(addReals(key, List.of(r))));
                            }
                        } catch (IllegalArgumentException e) {
                            LOG.info(
                                    "katran {} by {}: entry skipped: {}",
                                    what,
                                    caller.printable(),
                                    PrintableText.of(e.getMessage()));
                        }
                    }
                    return out2;
                });
        writeAsync(out, what, caller, entries);
    }

    /**
     * Katran's per-entry QUIC mapping write: each mapping that is malformed, or (DEL) whose id is not mapped or
     * is mapped to another address, is skipped and logged; the others are applied; the call succeeds. The
     * valid entries go to the log as in {@link #modifyReals}: one batch (one log entry), or, if the state machine
     * rejects it, one batch per entry with the rejected ones skipped.
     */
    @Override
    public void modifyQuicRealsMapping(QuicChange request, StreamObserver<Outcome> out) {
        Caller caller = Caller.current();
        if (request.getAction() != ChangeKind.ADD && request.getAction() != ChangeKind.DEL) {
            refuse(
                    out,
                    "modifyQuicRealsMapping",
                    caller,
                    "action " + request.getActionValue() + " is not known: allowed ADD (0) or DEL (1)");
            return;
        }
        List<QuicServer> servers = request.getReals().getQrealsList();
        CompletableFuture<List<List<Command>>> entries = gateway.read(
                        ReadConsistency.LINEARIZABLE, 0, ControlServer.readTimeout())
                .thenApply(image -> {
                    List<List<Command>> list = new ArrayList<>();
                    for (QuicServer s : servers) {
                        try {
                            long id = serverId(s.getId());
                            IpAddress address = parseAddress(s.getAddress(), "quic real");
                            if (request.getAction() == ChangeKind.DEL) {
                                IpAddress mapped = image.quicIds()
                                        .get(id)
                                        .map(io.ringfleet.state.QuicMapping::address)
                                        .orElseThrow(() -> new IllegalArgumentException(
                                                "quic server id " + id + " is not mapped"));
                                if (!mapped.equals(address)) {
                                    throw new IllegalArgumentException("quic server id " + id + " is mapped to "
                                            + mapped + ", not " + address + ": kept");
                                }
                                list.add(List.of(Command.newBuilder()
                                        .setUnmapQuicServerIds(
                                                UnmapQuicServerIds.newBuilder().addServerIds((int) id))
                                        .build()));
                            } else {
                                list.add(List.of(Command.newBuilder()
                                        .setMapQuicServerIds(MapQuicServerIds.newBuilder()
                                                .addMappings(QuicMapping.newBuilder()
                                                        .setServerId((int) id)
                                                        .setAddress(s.getAddress())))
                                        .build()));
                            }
                        } catch (IllegalArgumentException e) {
                            LOG.info(
                                    "katran modifyQuicRealsMapping by {}: entry skipped: {}",
                                    caller.printable(),
                                    PrintableText.of(e.getMessage()));
                        }
                    }
                    return list;
                });
        writeAsync(out, "modifyQuicRealsMapping", caller, entries);
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
                        .setMac(image.gatewayMac()
                                .or(() -> java.util.Optional.ofNullable(defaultGatewayMac))
                                .map(Object::toString)
                                .orElse(""))
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

    /** Katran answers -1 (all 64 bits set) for a VIP it does not know, with status OK. */
    @Override
    public void getVipFlags(VipId request, StreamObserver<FlagBits> out) {
        VipKey key = parseOrNull(request);
        read(
                out,
                "getVipFlags",
                image -> FlagBits.newBuilder()
                        .setFlags(find(image, key)
                                .map(v -> Integer.toUnsignedLong(v.flags()))
                                .orElse(UNKNOWN_VIP_FLAGS))
                        .build());
    }

    /** Katran answers CANCELLED for a VIP it does not know. Real flags are not held: always 0. */
    @Override
    public void getRealsForVip(VipId request, StreamObserver<RealList> out) {
        VipKey key = parseOrNull(request);
        Caller caller = Caller.current();
        gateway.read(ReadConsistency.LINEARIZABLE, 0, ControlServer.readTimeout())
                .whenComplete((image, failure) -> {
                    if (failure != null) {
                        out.onError(Statuses.of(failure, "katran getRealsForVip"));
                        return;
                    }
                    java.util.Optional<VipImage> vip = find(image, key);
                    if (vip.isEmpty()) {
                        refuse(out, "getRealsForVip", caller, unknownVip(request));
                        return;
                    }
                    RealList.Builder b = RealList.newBuilder();
                    for (VipReal r : vip.get().reals()) {
                        b.addReals(RealWithWeight.newBuilder()
                                .setAddress(r.address().toString())
                                .setWeight(r.weight()));
                    }
                    out.onNext(b.build());
                    out.onCompleted();
                });
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

    /** Katran answers zeros for a VIP it does not know. */
    @Override
    public void getStatsForVip(VipId request, StreamObserver<CounterPair> out) {
        VipKey key = parseOrNull(request);
        if (checkStats(out)) {
            read(out, "getStatsForVip", image -> {
                java.util.Optional<VipImage> vip = find(image, key);
                if (vip.isEmpty()) {
                    return pair(0, 0);
                }
                StatsSource.Counter c =
                        stats.read().vips().getOrDefault(vip.get().vipNum(), StatsSource.Counter.ZERO);
                return pair(c.packets(), c.bytes());
            });
        }
    }

    @Override
    public void getLruStats(NoArgs request, StreamObserver<CounterPair> out) {
        // Katran: v1 = every packet that reached connection-table routing (SYNs included, which skip the
        // lookup), v2 = every packet routed by the ring instead (misses, SYNs included). Here: lookups + SYN
        // misses, and all misses (TCP SYN, TCP other, UDP); v1 - v2 = hits.
        global(out, "getLruStats", s -> {
            long syn = s.global("lru_miss_tcp_syn").packets();
            long misses = syn
                    + s.global("lru_miss_tcp_other").packets()
                    + s.global("lru_miss_udp").packets();
            return pair(s.global("lru_lookup").packets() + syn, misses);
        });
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

    private static Command addReals(io.ringfleet.api.VipKey vip, List<RealWithWeight> reals) {
        AddReals.Builder a = AddReals.newBuilder().setVip(vip).setUpdateExisting(true);
        for (RealWithWeight r : reals) {
            if (r.getWeight() < 0 || r.getWeight() > 65535) {
                throw new IllegalArgumentException("weight " + r.getWeight() + " of real " + r.getAddress()
                        + " is out of range: allowed 0..65535 (0 keeps the real in the vip but out of its ring)");
            }
            a.addReals(RealSpec.newBuilder().setAddress(r.getAddress()).setWeight(r.getWeight()));
        }
        return Command.newBuilder().setAddReals(a).build();
    }

    private static Command removeReals(io.ringfleet.api.VipKey vip, List<RealWithWeight> reals) {
        RemoveReals.Builder r = RemoveReals.newBuilder().setVip(vip).setIgnoreMissing(true);
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

    /** A single-command write: refused (CANCELLED with the reason) if malformed or rejected by the log. */
    private void write(StreamObserver<Outcome> out, String what, Translation translation) {
        Caller caller = Caller.current();
        List<Command> commands;
        try {
            commands = translation.commands();
        } catch (IllegalArgumentException e) {
            refuse(out, what, caller, e.getMessage());
            return;
        }
        submit(commands, what, caller).whenComplete((rejection, failure) -> {
            if (failure != null) {
                fail(out, what, caller, failure);
            } else if (rejection != null) {
                refuse(out, what, caller, rejection);
            } else {
                reply(out);
            }
        });
    }

    /**
     * A per-entry write (Katran's list semantics): the entries (each a list of commands) are applied as one
     * batch; if the log rejects it and there is more than one entry, each entry is submitted as its own batch
     * and the rejected ones are skipped (logged). The call succeeds once the entries are computed (an
     * IllegalArgumentException while computing them refuses the call).
     */
    private void writeAsync(
            StreamObserver<Outcome> out, String what, Caller caller, CompletableFuture<List<List<Command>>> entries) {
        entries.thenCompose(list -> {
                    List<Command> all = new ArrayList<>();
                    list.forEach(all::addAll);
                    if (all.isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return submit(all, what, caller).thenCompose(rejection -> {
                        if (rejection == null || list.size() == 1) {
                            if (rejection != null) {
                                LOG.info(
                                        "katran {} by {}: entry skipped: {}",
                                        what,
                                        caller.printable(),
                                        PrintableText.of(rejection));
                            }
                            return CompletableFuture.completedFuture(null);
                        }
                        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                        for (List<Command> entry : list) {
                            chain = chain.thenCompose(v -> submit(entry, what, caller)
                                    .thenAccept(r -> {
                                        if (r != null) {
                                            LOG.info(
                                                    "katran {} by {}: entry skipped: {}",
                                                    what,
                                                    caller.printable(),
                                                    PrintableText.of(r));
                                        }
                                    }));
                        }
                        return chain;
                    });
                })
                .whenComplete((ok, failure) -> {
                    if (failure == null) {
                        reply(out);
                    } else {
                        fail(out, what, caller, failure);
                    }
                });
    }

    /** Submits one batch; completes with null when applied, or the log's one-line rejection. */
    private CompletableFuture<String> submit(List<Command> commands, String what, Caller caller) {
        if (commands.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CommandBatch batch = writer.stamp(commands, "", OptionalLong.empty(), caller);
        return writer.submit(batch).thenApply(committed -> {
            BatchReply reply = committed.reply();
            if (reply.getCode() == ReplyCode.OK) {
                return null;
            }
            // BatchWriter logged the rejection with the request id: only the answer is made here.
            return reply.getMessage().isEmpty() ? reply.getCode().toString() : reply.getMessage();
        });
    }

    private static void fail(StreamObserver<Outcome> out, String what, Caller caller, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof IllegalArgumentException) {
            refuse(out, what, caller, cause.getMessage());
            return;
        }
        StatusRuntimeException status = Statuses.of(cause, "katran " + what);
        if (status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
            refuse(out, what, caller, status.getStatus().getDescription());
        } else {
            out.onError(status);
        }
    }

    /** Katran's refusal: status CANCELLED (its returnStatus(false)); the reason is the description. */
    private static void refuse(StreamObserver<?> out, String what, Caller caller, String reason) {
        LOG.info("katran {} by {} refused: {}", what, caller.printable(), PrintableText.of(reason));
        out.onError(Status.CANCELLED.withDescription(reason).asRuntimeException());
    }

    private static void reply(StreamObserver<Outcome> out) {
        out.onNext(Outcome.newBuilder().setSuccess(true).build());
        out.onCompleted();
    }

    private static IpAddress parseAddress(String text, String what) {
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    what + " address \"" + VipKeys.cut(text) + "\" is not an address: " + e.getMessage());
        }
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

    /** The VIP, or null when the request cannot name one (Katran then finds no VIP). */
    private static VipKey parseOrNull(VipId id) {
        try {
            return VipKeys.parse(vipKey(id));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static java.util.Optional<VipImage> find(FleetImage image, VipKey key) {
        return key == null ? java.util.Optional.empty() : image.vips().get(key);
    }

    private static String unknownVip(VipId id) {
        return "vip " + VipKeys.cut(id.getAddress()) + ":" + id.getPort() + ":" + id.getProtocol() + " does not exist";
    }
}
