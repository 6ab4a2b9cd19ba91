package io.ringfleet.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ControlServiceGrpc.ControlServiceBlockingStub;
import io.ringfleet.api.GetGatewayMacRequest;
import io.ringfleet.api.GetVipRequest;
import io.ringfleet.api.ListHealthCheckDstsRequest;
import io.ringfleet.api.ListQuicServerIdsRequest;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipInfo;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.katran.ChangeKind;
import io.ringfleet.api.katran.KatranServiceGrpc.KatranServiceBlockingStub;
import io.ringfleet.api.katran.MacAddress;
import io.ringfleet.api.katran.MarkDestination;
import io.ringfleet.api.katran.MarkOnly;
import io.ringfleet.api.katran.NoArgs;
import io.ringfleet.api.katran.OneRealForVip;
import io.ringfleet.api.katran.QuicChange;
import io.ringfleet.api.katran.QuicList;
import io.ringfleet.api.katran.QuicServer;
import io.ringfleet.api.katran.RealList;
import io.ringfleet.api.katran.RealWithWeight;
import io.ringfleet.api.katran.RealsChange;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipWithFlags;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.VipFlags;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Katran-compatible service: every write goes through the log and shows in ControlService reads. */
class KatranServerTest {
    ApiFixture api;
    KatranServiceBlockingStub katran;
    ControlServiceBlockingStub control;

    private static final VipId UDP_VIP = VipId.newBuilder()
            .setAddress("fc00::1")
            .setPort(443)
            .setProtocol(17)
            .build();
    private static final VipKey UDP_KEY = VipKey.newBuilder()
            .setAddress("fc00::1")
            .setPort(443)
            .setProtocol(Protocol.UDP)
            .build();

    @BeforeEach
    void start() throws Exception {
        api = ApiFixture.start(TestPki.shared());
        katran = api.katran("alice");
        control = api.control("alice");
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    /** Katran's refusal: status CANCELLED with the reason as the description. */
    static void assertCancelled(java.util.function.Supplier<?> call, String what) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get, what);
        assertEquals(Status.Code.CANCELLED, e.getStatus().getCode(), what);
        assertTrue(
                e.getStatus().getDescription() != null
                        && !e.getStatus().getDescription().isEmpty(),
                what);
    }

    static void assertCancelled(java.util.function.Supplier<?> call) {
        assertCancelled(call, "refused");
    }

    private static RealWithWeight real(String address, int weight) {
        return RealWithWeight.newBuilder().setAddress(address).setWeight(weight).build();
    }

    @Test
    void katranWritesAreLogEntriesVisibleThroughControlService() {
        assertTrue(katran.addVip(VipWithFlags.newBuilder()
                        .setVip(UDP_VIP)
                        .setFlags(VipFlags.QUIC_VIP)
                        .build())
                .getSuccess());
        assertTrue(katran.addRealForVip(OneRealForVip.newBuilder()
                        .setVip(UDP_VIP)
                        .setReal(real("fc00::10", 10))
                        .build())
                .getSuccess());
        assertTrue(katran.modifyRealsForVip(RealsChange.newBuilder()
                        .setVip(UDP_VIP)
                        .setAction(ChangeKind.ADD)
                        .setReal(RealList.newBuilder()
                                .addReals(real("fc00::11", 20))
                                .addReals(real("fc00::12", 30)))
                        .build())
                .getSuccess());

        VipInfo vip = control.getVip(GetVipRequest.newBuilder().setVip(UDP_KEY).build())
                .getVip();
        assertEquals(List.of("quic_vip"), vip.getFlagNamesList());
        assertEquals(
                List.of("fc00::10", "fc00::11", "fc00::12"),
                vip.getRealsList().stream().map(r -> r.getAddress()).toList());
        assertEquals(
                List.of(10, 20, 30),
                vip.getRealsList().stream().map(r -> r.getWeight()).toList());
        assertEquals(3, api.log.entries().size(), "one log entry per Katran write");
        assertEquals("alice", api.log.entries().get(0).getPrincipal());

        assertEquals(
                List.of(UDP_VIP), katran.getAllVips(NoArgs.getDefaultInstance()).getVipsList());
        assertEquals(
                List.of(real("fc00::10", 10), real("fc00::11", 20), real("fc00::12", 30)),
                katran.getRealsForVip(UDP_VIP).getRealsList());
        assertEquals(VipFlags.QUIC_VIP, katran.getVipFlags(UDP_VIP).getFlags());
    }

    @Test
    void addingAPresentRealSetsItsWeightAndDeletingAMissingRealIsNotAnError() {
        katran.addVip(VipWithFlags.newBuilder().setVip(UDP_VIP).build());
        katran.addRealForVip(OneRealForVip.newBuilder()
                .setVip(UDP_VIP)
                .setReal(real("fc00::10", 1))
                .build());
        assertTrue(katran.addRealForVip(OneRealForVip.newBuilder()
                        .setVip(UDP_VIP)
                        .setReal(real("fc00::10", 9))
                        .build())
                .getSuccess());
        assertEquals(
                List.of(real("fc00::10", 9)), katran.getRealsForVip(UDP_VIP).getRealsList());
        assertTrue(katran.delRealForVip(OneRealForVip.newBuilder()
                        .setVip(UDP_VIP)
                        .setReal(real("fc00::99", 0))
                        .build())
                .getSuccess());
        assertTrue(katran.modifyRealsForVip(RealsChange.newBuilder()
                        .setVip(UDP_VIP)
                        .setAction(ChangeKind.DEL)
                        .setReal(RealList.newBuilder().addReals(real("fc00::10", 0)))
                        .build())
                .getSuccess());
        assertEquals(0, katran.getRealsForVip(UDP_VIP).getRealsCount());
    }

    @Test
    void refusedWritesAnswerFalseAndChangeNothing() {
        assertTrue(
                katran.addVip(VipWithFlags.newBuilder().setVip(UDP_VIP).build()).getSuccess());
        FleetImage before = api.log.image();
        assertCancelled(
                () -> katran.addVip(VipWithFlags.newBuilder().setVip(UDP_VIP).build()), "duplicate");
        assertCancelled(
                () -> katran.addVip(VipWithFlags.newBuilder()
                        .setVip(UDP_VIP.toBuilder().setAddress("fc00::zz"))
                        .build()),
                "malformed address");
        assertCancelled(
                () -> katran.addVip(VipWithFlags.newBuilder()
                        .setVip(UDP_VIP.toBuilder().setProtocol(1))
                        .build()),
                "unknown protocol");
        assertCancelled(
                () -> katran.addVip(VipWithFlags.newBuilder()
                        .setVip(UDP_VIP.toBuilder().setPort(-1))
                        .build()),
                "negative port");
        assertCancelled(() -> katran.delVip(UDP_VIP.toBuilder().setPort(444).build()), "unknown vip");
        assertTrue(
                katran.addRealForVip(OneRealForVip.newBuilder()
                                .setVip(UDP_VIP)
                                .setReal(real("fc00::10", 70000))
                                .build())
                        .getSuccess(),
                "weight out of range");
        assertTrue(
                katran.addRealForVip(OneRealForVip.newBuilder()
                                .setVip(UDP_VIP)
                                .setReal(real("fc00::10", -1))
                                .build())
                        .getSuccess(),
                "negative weight");
        assertTrue(
                katran.addRealForVip(OneRealForVip.newBuilder()
                                .setVip(UDP_VIP)
                                .setReal(real("10.0.0.1", 1))
                                .build())
                        .getSuccess(),
                "IPv4 real in an IPv6 vip");
        assertTrue(api.log.image().sameStateAs(before));
        assertEquals(before.stateIndex(), api.log.image().stateIndex());
    }

    @Test
    void readsOfAnUnknownVipAreCancelledAsInKatran() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> katran.getRealsForVip(UDP_VIP));
        assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
        assertEquals("vip fc00::1:443:17 does not exist", e.getStatus().getDescription());
    }

    @Test
    void modifyVipSetsAndClearsFlags() {
        katran.addVip(VipWithFlags.newBuilder().setVip(UDP_VIP).build());
        assertTrue(katran.modifyVip(VipWithFlags.newBuilder()
                        .setVip(UDP_VIP)
                        .setFlags(VipFlags.QUIC_VIP | VipFlags.LRU_BYPASS)
                        .setSetFlag(true)
                        .build())
                .getSuccess());
        assertEquals(
                VipFlags.QUIC_VIP | VipFlags.LRU_BYPASS,
                katran.getVipFlags(UDP_VIP).getFlags());
        assertTrue(katran.modifyVip(VipWithFlags.newBuilder()
                        .setVip(UDP_VIP)
                        .setFlags(VipFlags.LRU_BYPASS)
                        .setSetFlag(false)
                        .build())
                .getSuccess());
        assertEquals(VipFlags.QUIC_VIP, katran.getVipFlags(UDP_VIP).getFlags());
        assertCancelled(() -> katran.modifyVip(VipWithFlags.newBuilder()
                .setVip(UDP_VIP)
                .setFlags(1L << 40)
                .setSetFlag(true)
                .build()));
    }

    @Test
    void quicMappingsHealthChecksAndMacRoundTrip() {
        assertTrue(katran.modifyQuicRealsMapping(QuicChange.newBuilder()
                        .setAction(ChangeKind.ADD)
                        .setReals(QuicList.newBuilder()
                                .addQreals(QuicServer.newBuilder()
                                        .setAddress("10.0.0.5")
                                        .setId(7))
                                .addQreals(QuicServer.newBuilder()
                                        .setAddress("10.0.0.6")
                                        .setId(8)))
                        .build())
                .getSuccess());
        assertEquals(
                2,
                control.listQuicServerIds(ListQuicServerIdsRequest.getDefaultInstance())
                        .getMappingsCount());
        assertTrue(katran.modifyQuicRealsMapping(QuicChange.newBuilder()
                        .setAction(ChangeKind.DEL)
                        .setReals(QuicList.newBuilder()
                                .addQreals(QuicServer.newBuilder()
                                        .setAddress("10.0.0.5")
                                        .setId(7))
                                .addQreals(QuicServer.newBuilder()
                                        .setAddress("10.0.0.9")
                                        .setId(99)))
                        .build())
                .getSuccess());
        assertEquals(
                List.of(QuicServer.newBuilder().setAddress("10.0.0.6").setId(8).build()),
                katran.getQuicRealsMapping(NoArgs.getDefaultInstance()).getQrealsList());

        assertTrue(katran.addHealthcheckerDst(MarkDestination.newBuilder()
                        .setSomark(1000)
                        .setAddress("10.0.0.7")
                        .build())
                .getSuccess());
        assertEquals(
                Map.of(1000, "10.0.0.7"),
                katran.getHealthcheckersDst(NoArgs.getDefaultInstance()).getHealthchecksMap());
        assertEquals(
                "10.0.0.7",
                control.listHealthCheckDsts(ListHealthCheckDstsRequest.getDefaultInstance())
                        .getDsts(0)
                        .getAddress());
        assertTrue(
                katran.delHealthcheckerDst(MarkOnly.newBuilder().setSomark(1000).build())
                        .getSuccess());
        assertCancelled(() ->
                katran.delHealthcheckerDst(MarkOnly.newBuilder().setSomark(1000).build()));

        assertTrue(katran.changeMac(
                        MacAddress.newBuilder().setMac("02:00:00:00:00:01").build())
                .getSuccess());
        assertEquals(
                "02:00:00:00:00:01", katran.getMac(NoArgs.getDefaultInstance()).getMac());
        assertEquals(
                "02:00:00:00:00:01",
                control.getGatewayMac(GetGatewayMacRequest.getDefaultInstance()).getMac());
        assertCancelled(
                () -> katran.changeMac(
                        MacAddress.newBuilder().setMac("01:00:5e:00:00:01").build()),
                "multicast");
    }

    @Test
    void statsComeFromTheDatapathCounters() {
        katran.addVip(VipWithFlags.newBuilder().setVip(UDP_VIP).build());
        api.stats.set(new StatsSource.Snapshot(
                new TreeMap<>(Map.of(0, new StatsSource.Counter(5, 500))),
                new TreeMap<>(),
                List.of(
                        new StatsSource.NamedCounter("lru_lookup", new StatsSource.Counter(100, 0)),
                        new StatsSource.NamedCounter("lru_hit", new StatsSource.Counter(90, 0)),
                        new StatsSource.NamedCounter("lru_miss_tcp_syn", new StatsSource.Counter(6, 0)),
                        new StatsSource.NamedCounter("lru_miss_tcp_other", new StatsSource.Counter(4, 0)),
                        new StatsSource.NamedCounter("fallback_hit", new StatsSource.Counter(2, 0)),
                        new StatsSource.NamedCounter("icmp_too_big", new StatsSource.Counter(3, 1)))));
        assertEquals(5, katran.getStatsForVip(UDP_VIP).getV1());
        assertEquals(500, katran.getStatsForVip(UDP_VIP).getV2());
        assertEquals(106, katran.getLruStats(NoArgs.getDefaultInstance()).getV1(), "lookups + SYN misses");
        assertEquals(10, katran.getLruStats(NoArgs.getDefaultInstance()).getV2(), "all misses");
        assertEquals(6, katran.getLruMissStats(NoArgs.getDefaultInstance()).getV1());
        assertEquals(4, katran.getLruMissStats(NoArgs.getDefaultInstance()).getV2());
        assertEquals(2, katran.getLruFallbackStats(NoArgs.getDefaultInstance()).getV1());
        assertEquals(1, katran.getIcmpTooBigStats(NoArgs.getDefaultInstance()).getV2());
    }
}
