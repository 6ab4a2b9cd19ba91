package io.ringfleet.agent.api;

import static io.ringfleet.agent.api.KatranServerTest.assertCancelled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.TestPki;
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
import io.ringfleet.api.katran.RealFlagsChange;
import io.ringfleet.api.katran.RealList;
import io.ringfleet.api.katran.RealWithWeight;
import io.ringfleet.api.katran.RealsChange;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipWithFlags;
import io.ringfleet.state.FleetImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each KatranService RPC against the semantics Katran's own gRPC server (example_grpc) gives it: one check per
 * RPC or behaviour, each on a fresh in-process fleet. Prints {@code katran-api: N/N Katran semantics}.
 */
class KatranSemanticsTest {
    private static final VipId VIP =
            VipId.newBuilder().setAddress("10.1.0.1").setPort(80).setProtocol(6).build();
    private static final VipId UNKNOWN = VIP.toBuilder().setPort(81).build();

    private ApiFixture api;
    private KatranServiceBlockingStub katran;

    @BeforeEach
    void start() throws Exception {
        api = ApiFixture.start(TestPki.shared());
        katran = api.katran("alice");
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private static RealWithWeight real(String address, int weight) {
        return RealWithWeight.newBuilder().setAddress(address).setWeight(weight).build();
    }

    private static QuicServer quic(String address, int id) {
        return QuicServer.newBuilder().setAddress(address).setId(id).build();
    }

    private void addVip() {
        assertTrue(katran.addVip(VipWithFlags.newBuilder().setVip(VIP).build()).getSuccess());
    }

    private void addReals(String... addresses) {
        RealList.Builder list = RealList.newBuilder();
        for (String a : addresses) {
            list.addReals(real(a, 10));
        }
        assertTrue(katran.modifyRealsForVip(RealsChange.newBuilder()
                        .setAction(ChangeKind.ADD)
                        .setVip(VIP)
                        .setReal(list)
                        .build())
                .getSuccess());
    }

    private Map<String, Integer> reals() {
        Map<String, Integer> m = new TreeMap<>();
        for (RealWithWeight r : katran.getRealsForVip(VIP).getRealsList()) {
            m.put(r.getAddress(), r.getWeight());
        }
        return m;
    }

    private void counters(long lookups, long hits, long syn, long other, long udp) {
        api.stats.set(new StatsSource.Snapshot(
                new TreeMap<>(),
                new TreeMap<>(),
                List.of(
                        new StatsSource.NamedCounter("lru_lookup", new StatsSource.Counter(lookups, 0)),
                        new StatsSource.NamedCounter("lru_hit", new StatsSource.Counter(hits, 0)),
                        new StatsSource.NamedCounter("lru_miss_tcp_syn", new StatsSource.Counter(syn, 0)),
                        new StatsSource.NamedCounter("lru_miss_tcp_other", new StatsSource.Counter(other, 0)),
                        new StatsSource.NamedCounter("lru_miss_udp", new StatsSource.Counter(udp, 0)),
                        new StatsSource.NamedCounter("fallback_hit", new StatsSource.Counter(7, 0)),
                        new StatsSource.NamedCounter("icmp_too_big", new StatsSource.Counter(3, 4)))));
    }

    @Test
    void katranSemantics() throws Exception {
        Map<String, ThrowingCheck> checks = new LinkedHashMap<>();
        checks.put("refused write: status CANCELLED with the reason (changeMac multicast)", () -> {
            FleetImage before = api.log.image();
            assertCancelled(() -> katran.changeMac(
                    MacAddress.newBuilder().setMac("01:00:5e:00:00:01").build()));
            assertTrue(api.log.image().sameStateAs(before));
        });
        checks.put("changeMac then getMac", () -> {
            assertTrue(katran.changeMac(
                            MacAddress.newBuilder().setMac("02:00:00:00:00:01").build())
                    .getSuccess());
            assertEquals(
                    "02:00:00:00:00:01",
                    katran.getMac(NoArgs.getDefaultInstance()).getMac());
        });
        checks.put(
                "getMac before any change: the MAC in use (the node's gateway MAC)",
                () -> assertEquals(
                        ApiFixture.DEFAULT_GATEWAY_MAC,
                        katran.getMac(NoArgs.getDefaultInstance()).getMac()));
        checks.put("addVip duplicate: CANCELLED", () -> {
            addVip();
            assertCancelled(
                    () -> katran.addVip(VipWithFlags.newBuilder().setVip(VIP).build()));
        });
        checks.put("delVip unknown: CANCELLED", () -> assertCancelled(() -> katran.delVip(UNKNOWN)));
        checks.put("getAllVips", () -> {
            addVip();
            assertEquals(
                    List.of(VIP), katran.getAllVips(NoArgs.getDefaultInstance()).getVipsList());
        });
        checks.put("modifyVip sets and clears bits; getVipFlags", () -> {
            addVip();
            katran.modifyVip(VipWithFlags.newBuilder()
                    .setVip(VIP)
                    .setFlags(1)
                    .setSetFlag(true)
                    .build());
            assertEquals(1, katran.getVipFlags(VIP).getFlags());
            katran.modifyVip(VipWithFlags.newBuilder().setVip(VIP).setFlags(1).build());
            assertEquals(0, katran.getVipFlags(VIP).getFlags());
        });
        checks.put(
                "getVipFlags unknown vip: OK with -1",
                () -> assertEquals(
                        KatranServer.UNKNOWN_VIP_FLAGS,
                        katran.getVipFlags(UNKNOWN).getFlags()));
        checks.put(
                "modifyReal unknown real: CANCELLED",
                () -> assertCancelled(() -> katran.modifyReal(RealFlagsChange.newBuilder()
                        .setAddress("10.2.0.1")
                        .setFlags(2)
                        .setSetFlag(true)
                        .build())));
        checks.put("modifyReal on a real: bits the log cannot hold are refused with the reason", () -> {
            addVip();
            addReals("10.2.0.1");
            assertCancelled(() -> katran.modifyReal(RealFlagsChange.newBuilder()
                    .setAddress("10.2.0.1")
                    .setFlags(2)
                    .setSetFlag(true)
                    .build()));
            assertTrue(katran.modifyReal(RealFlagsChange.newBuilder()
                            .setAddress("10.2.0.1")
                            .setFlags(2)
                            .build())
                    .getSuccess());
        });
        checks.put(
                "addRealForVip unknown vip: CANCELLED",
                () -> assertCancelled(() -> katran.addRealForVip(OneRealForVip.newBuilder()
                        .setVip(UNKNOWN)
                        .setReal(real("10.2.0.1", 1))
                        .build())));
        checks.put("addRealForVip present real: sets its weight", () -> {
            addVip();
            addReals("10.2.0.1");
            assertTrue(katran.addRealForVip(OneRealForVip.newBuilder()
                            .setVip(VIP)
                            .setReal(real("10.2.0.1", 33))
                            .build())
                    .getSuccess());
            assertEquals(Map.of("10.2.0.1", 33), reals());
        });
        checks.put("delRealForVip real not in vip: OK", () -> {
            addVip();
            assertTrue(katran.delRealForVip(OneRealForVip.newBuilder()
                            .setVip(VIP)
                            .setReal(real("10.2.0.9", 1))
                            .build())
                    .getSuccess());
        });
        checks.put("modifyRealsForVip: a malformed entry is skipped, the others applied", () -> {
            addVip();
            assertTrue(katran.modifyRealsForVip(RealsChange.newBuilder()
                            .setAction(ChangeKind.ADD)
                            .setVip(VIP)
                            .setReal(RealList.newBuilder()
                                    .addReals(real("10.2.0.1", 5))
                                    .addReals(real("10.2.0.zz", 5))
                                    .addReals(real("10.2.0.2", 6)))
                            .build())
                    .getSuccess());
            assertEquals(Map.of("10.2.0.1", 5, "10.2.0.2", 6), reals());
        });
        checks.put("getRealsForVip unknown vip: CANCELLED; real flags read 0", () -> {
            assertCancelled(() -> katran.getRealsForVip(UNKNOWN));
            addVip();
            addReals("10.2.0.1");
            assertEquals(0, katran.getRealsForVip(VIP).getReals(0).getFlags());
        });
        checks.put("modifyQuicRealsMapping ADD: a malformed entry is skipped, the others applied", () -> {
            assertTrue(katran.modifyQuicRealsMapping(QuicChange.newBuilder()
                            .setAction(ChangeKind.ADD)
                            .setReals(QuicList.newBuilder()
                                    .addQreals(quic("10.3.0.1", 1))
                                    .addQreals(quic("nope", 2))
                                    .addQreals(quic("10.3.0.3", 3)))
                            .build())
                    .getSuccess());
            assertEquals(
                    List.of(quic("10.3.0.1", 1), quic("10.3.0.3", 3)),
                    katran.getQuicRealsMapping(NoArgs.getDefaultInstance()).getQrealsList());
        });
        checks.put("modifyQuicRealsMapping DEL: another address keeps the mapping, the same removes it", () -> {
            katran.modifyQuicRealsMapping(QuicChange.newBuilder()
                    .setAction(ChangeKind.ADD)
                    .setReals(QuicList.newBuilder().addQreals(quic("10.3.0.1", 1)))
                    .build());
            assertTrue(katran.modifyQuicRealsMapping(QuicChange.newBuilder()
                            .setAction(ChangeKind.DEL)
                            .setReals(QuicList.newBuilder().addQreals(quic("10.3.0.2", 1)))
                            .build())
                    .getSuccess());
            assertEquals(
                    List.of(quic("10.3.0.1", 1)),
                    katran.getQuicRealsMapping(NoArgs.getDefaultInstance()).getQrealsList());
            assertTrue(katran.modifyQuicRealsMapping(QuicChange.newBuilder()
                            .setAction(ChangeKind.DEL)
                            .setReals(QuicList.newBuilder().addQreals(quic("10.3.0.1", 1)))
                            .build())
                    .getSuccess());
            assertEquals(
                    0, katran.getQuicRealsMapping(NoArgs.getDefaultInstance()).getQrealsCount());
        });
        checks.put("getStatsForVip unknown vip: OK zeros", () -> {
            counters(0, 0, 0, 0, 0);
            assertEquals(0, katran.getStatsForVip(UNKNOWN).getV1());
        });
        checks.put(
                "getLruStats: (total packets, misses); the client prints hit 80% for 80% hits",
                () -> {
                    // 100 packets: 10 SYNs (ring, counted as misses) and 90 lookups: 80 hits, 10 misses
                    counters(90, 80, 10, 6, 4);
                    var s = katran.getLruStats(NoArgs.getDefaultInstance());
                    assertEquals(100, s.getV1(), "total packets");
                    assertEquals(20, s.getV2(), "misses");
                    assertEquals(80.0, 100.0 * (1 - (double) s.getV2() / s.getV1()), 1e-9, "katran client's lru hit %");
                });
        checks.put("getLruMissStats: (TCP SYN misses, TCP non-SYN misses)", () -> {
            counters(90, 80, 10, 6, 4);
            var s = katran.getLruMissStats(NoArgs.getDefaultInstance());
            assertEquals(10, s.getV1());
            assertEquals(6, s.getV2());
        });
        checks.put("getLruFallbackStats v1", () -> {
            counters(0, 0, 0, 0, 0);
            assertEquals(
                    7, katran.getLruFallbackStats(NoArgs.getDefaultInstance()).getV1());
        });
        checks.put("getIcmpTooBigStats (IPv4, IPv6)", () -> {
            counters(0, 0, 0, 0, 0);
            var s = katran.getIcmpTooBigStats(NoArgs.getDefaultInstance());
            assertEquals(3, s.getV1());
            assertEquals(4, s.getV2());
        });
        checks.put("health checks: add, get, del; del unknown CANCELLED", () -> {
            assertTrue(katran.addHealthcheckerDst(MarkDestination.newBuilder()
                            .setSomark(7)
                            .setAddress("10.4.0.1")
                            .build())
                    .getSuccess());
            assertEquals(
                    Map.of(7, "10.4.0.1"),
                    katran.getHealthcheckersDst(NoArgs.getDefaultInstance()).getHealthchecksMap());
            assertTrue(katran.delHealthcheckerDst(
                            MarkOnly.newBuilder().setSomark(7).build())
                    .getSuccess());
            assertCancelled(() -> katran.delHealthcheckerDst(
                    MarkOnly.newBuilder().setSomark(7).build()));
        });

        List<String> failed = new ArrayList<>();
        int passed = 0;
        boolean first = true;
        for (Map.Entry<String, ThrowingCheck> c : checks.entrySet()) {
            if (!first) {
                stop();
                start();
            }
            first = false;
            try {
                c.getValue().run();
                passed++;
            } catch (Throwable t) {
                failed.add(c.getKey() + ": " + t);
            }
        }
        failed.forEach(f -> System.out.println("katran-api FAILED " + f));
        System.out.println("katran-api: " + passed + "/" + checks.size() + " Katran semantics");
        assertEquals(List.of(), failed);
    }

    @FunctionalInterface
    private interface ThrowingCheck {
        void run() throws Exception;
    }
}
