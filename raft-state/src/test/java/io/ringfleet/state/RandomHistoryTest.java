package io.ringfleet.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.Commands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded random history of command batches (valid and invalid, small limits so that exhaustion and
 * reuse happen), applied step by step. Then: every prefix replayed from scratch gives the same image,
 * every image survives a snapshot round trip, digests are stable, invariants hold after every step.
 * A failure names its seed; rerun with that seed to reproduce.
 */
class RandomHistoryTest {
    static final FleetLimits LIMITS = FleetLimits.builder()
            .maxVips(6)
            .maxReals(8)
            .maxHealthCheckDsts(3)
            .maxQuicServerId(5)
            .build();
    static final int STEPS = 250;

    record Entry(CommandBatch batch, Provenance at, List<FleetRecord> records, FleetImage image, String outcome) {}

    static List<Entry> history(long seed) {
        Generator gen = new Generator(new Random(seed));
        BatchApplier applier = new BatchApplier(new CommandValidator());
        List<Entry> out = new ArrayList<>();
        FleetImage image = FleetImage.EMPTY;
        long term = 1;
        for (int i = 1; i <= STEPS; i++) {
            if (gen.rnd.nextInt(40) == 0) {
                term++;
            }
            CommandBatch batch = gen.batch(image, i);
            BatchApplier.Applied applied = applier.apply(image, batch, new Provenance(term, i));
            String where = "seed " + seed + " step " + i + " " + applied.result();
            if (applied.result().isOk() && !applied.result().records().isEmpty()) {
                assertEquals(i, applied.image().stateIndex(), where);
            } else {
                assertEquals(image.stateIndex(), applied.image().stateIndex(), where);
            }
            image = applied.image();
            checkInvariants(image, where);
            out.add(new Entry(
                    batch,
                    applied.image().provenance(),
                    applied.result().records(),
                    image,
                    applied.result().rejection().map(r -> r.code().name()).orElse("OK")));
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99991, 7_000_000_007L, -5})
    void replayingEveryPrefixGivesTheImagesAppliedStepByStep(long seed) throws IOException {
        List<Entry> history = history(seed);
        long ok = history.stream().filter(e -> !e.records().isEmpty()).count();
        assertTrue(
                ok > STEPS / 5 && ok < STEPS * 9 / 10,
                "seed " + seed + ": a useful mix of changes and rejections, got " + ok + " changing entries of "
                        + STEPS);

        // Fresh replay of each prefix, all records in one delta.
        List<FleetRecord> prefix = new ArrayList<>();
        for (int k = 0; k < history.size(); k++) {
            Entry e = history.get(k);
            prefix.addAll(e.records());
            FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
            delta.replayAll(prefix);
            FleetImage replayed = delta.apply(e.at(), e.image().stateIndex());
            assertEquals(e.image(), replayed, "seed " + seed + " prefix " + (k + 1));
            assertEquals(e.image().digestHex(), replayed.digestHex(), "seed " + seed + " prefix " + (k + 1));
        }

        // Replay entry by entry, one delta per entry, as a follower would.
        FleetImage image = FleetImage.EMPTY;
        for (Entry e : history) {
            FleetDelta delta = new FleetDelta(image);
            delta.replayAll(e.records());
            image = delta.apply(e.at());
            assertEquals(e.image(), image, "seed " + seed + " at " + e.at());
        }

        // Snapshot round trips, and digests: equal states give equal digests, changes change them.
        for (int k = 0; k < history.size(); k++) {
            FleetImage expected = history.get(k).image();
            assertEquals(
                    expected, SnapshotCodec.decode(SnapshotCodec.encode(expected)), "seed " + seed + " snapshot " + k);
            if (k > 0) {
                FleetImage previous = history.get(k - 1).image();
                if (expected.sameStateAs(previous)) {
                    assertEquals(previous.digestHex(), expected.digestHex());
                } else {
                    assertNotEquals(previous.digestHex(), expected.digestHex(), "seed " + seed + " step " + k);
                }
            }
        }
    }

    @Test
    void theHistoriesExerciseEveryOutcomeAndReuseFreedIdentifiers() {
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        int reusedRealIndexes = 0;
        int reusedVipNums = 0;
        for (long seed = 1; seed <= 4; seed++) {
            TreeMap<Integer, IpAddress> lastReal = new TreeMap<>();
            TreeMap<Integer, io.ringfleet.state.VipKey> lastVip = new TreeMap<>();
            for (Entry e : history(seed)) {
                outcomes.merge(e.outcome(), 1, Integer::sum);
                for (Real r : e.image().reals().all()) {
                    IpAddress before = lastReal.put(r.index(), r.address());
                    reusedRealIndexes += before != null && !before.equals(r.address()) ? 1 : 0;
                }
                for (VipImage v : e.image().vips().all()) {
                    io.ringfleet.state.VipKey before = lastVip.put(v.vipNum(), v.key());
                    reusedVipNums += before != null && !before.equals(v.key()) ? 1 : 0;
                }
            }
        }
        assertEquals(
                List.of(
                        "ALREADY_EXISTS",
                        "FAILED_PRECONDITION",
                        "INVALID_ARGUMENT",
                        "NOT_FOUND",
                        "OK",
                        "RESOURCE_EXHAUSTED"),
                List.copyOf(outcomes.keySet()),
                outcomes.toString());
        assertTrue(
                reusedRealIndexes > 0 && reusedVipNums > 0,
                "real indexes reused " + reusedRealIndexes + " times, vip numbers " + reusedVipNums
                        + " times; outcomes " + outcomes);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 77})
    void theSameSeedGivesTheSameRecordsAndDigestsTwice(long seed) {
        List<Entry> a = history(seed);
        List<Entry> b = history(seed);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).records(), b.get(i).records());
            assertEquals(a.get(i).image().digestHex(), b.get(i).image().digestHex());
        }
    }

    static void checkInvariants(FleetImage image, String where) {
        TreeMap<Integer, Integer> refs = new TreeMap<>();
        for (VipImage vip : image.vips().all()) {
            assertTrue(vip.vipNum() < LIMITS.maxVips(), where);
            assertEquals(vip, image.vips().get(vip.key()).orElseThrow(), where);
            if (vip.key().protocol() == Protocol.TCP) {
                assertEquals(0, vip.flags() & VipFlags.UDP_ONLY, where);
            }
            assertEquals(0, vip.flags() & ~VipFlags.KNOWN, where);
            for (VipReal r : vip.reals()) {
                assertTrue(!vip.key().isV6() || r.address().isV6(), where + ": IPv4 real in IPv6 vip " + vip);
                assertEquals(
                        r.address(),
                        image.reals().get(r.realIndex()).orElseThrow().address(),
                        where);
                assertTrue(r.weight() <= 65535, where);
                refs.merge(r.realIndex(), 1, Integer::sum);
            }
            assertTrue(vip.realsByIndex().keySet().containsAll(vip.downReals()), where);
        }
        for (QuicMapping q : image.quicIds().all()) {
            assertEquals(
                    q.address(), image.reals().get(q.realIndex()).orElseThrow().address(), where);
            assertTrue(q.serverId() <= LIMITS.maxQuicServerId(), where);
            refs.merge(q.realIndex(), 1, Integer::sum);
        }
        assertEquals(
                refs.keySet(), image.reals().byIndex().keySet(), where + ": a real exists exactly while referenced");
        for (Real r : image.reals().all()) {
            assertEquals(refs.get(r.index()), r.references(), where + ": references of " + r);
            assertTrue(r.index() >= 1 && r.index() <= LIMITS.maxRealIndex(), where);
            assertEquals(r.index(), image.reals().get(r.address()).orElseThrow().index(), where);
        }
        assertTrue(image.healthChecks().size() <= LIMITS.maxHealthCheckDsts(), where);
    }

    /**
     * Random commands over small pools of names, biased towards the VIPs and members that exist so that
     * most batches change something; about one value in 25 is invalid on purpose.
     */
    static final class Generator {
        static final String[] VIP_ADDRESSES = {"10.200.0.1", "10.200.0.2", "fc00:1::1", "fc00:1::2"};
        static final int[] PORTS = {0, 80, 443};
        static final String[] REALS = {
            "10.0.0.1",
            "10.0.0.2",
            "10.0.0.3",
            "10.0.0.4",
            "10.0.0.5",
            "10.0.0.6",
            "fc00::1",
            "fc00::2",
            "fc00::3",
            "fc00::4"
        };
        static final int[] WEIGHTS = {0, 1, 1, 2, 5, 100, 65535};
        static final int[] FLAGS = {
            0, 0, VipFlags.HASH_NO_SRC_PORT, VipFlags.QUIC_VIP, VipFlags.HASH_DPORT_ONLY, VipFlags.UDP_FLOW_MIGRATION
        };
        static final String[] NODES = {"lb-1", "lb-2", "lb-3"};
        static final String[] MACS = {"00:00:de:ad:be:af", "02:00:00:00:00:01"};

        final Random rnd;
        FleetImage image;

        Generator(Random rnd) {
            this.rnd = rnd;
        }

        CommandBatch batch(FleetImage current, int step) {
            this.image = current;
            if (current.settings().settings().isEmpty()) {
                // The log's first entry: the small limits come from the log, as every replica's validation reads them.
                return Commands.batch("op0", "req-" + step, io.ringfleet.state.testing.Commands.bootstrap(LIMITS, 1));
            }
            int roll = rnd.nextInt(20);
            int n = roll < 12 ? 1 : roll < 17 ? 2 : 3 + rnd.nextInt(2);
            CommandBatch.Builder b = CommandBatch.newBuilder()
                    .setPrincipal("op" + rnd.nextInt(3))
                    .setViaNode("lb1")
                    .setTimestampMillis(1_700_000_000_000L + step * 1000L)
                    .setRequestId("r" + step);
            for (int i = 0; i < n; i++) {
                b.addCommands(command());
            }
            int expect = rnd.nextInt(12);
            if (expect == 0) {
                b.setExpectedStateIndex(image.stateIndex());
            } else if (expect == 1) {
                b.setExpectedStateIndex(image.stateIndex() + 1);
            }
            return b.build();
        }

        boolean bad() {
            return rnd.nextInt(25) == 0;
        }

        <T> T pick(T[] values) {
            return values[rnd.nextInt(values.length)];
        }

        int pick(int[] values) {
            return values[rnd.nextInt(values.length)];
        }

        int weight() {
            return bad() ? 65536 : pick(WEIGHTS);
        }

        int flags() {
            return bad() ? 0x400 : pick(FLAGS);
        }

        String real() {
            return bad() ? "10.0.0.256" : pick(REALS);
        }

        /** An existing VIP three times in four, else any key of the pool. */
        VipKey vip() {
            if (!image.vips().isEmpty() && rnd.nextInt(4) != 0) {
                List<VipImage> all = new ArrayList<>(image.vips().all());
                return toProto(all.get(rnd.nextInt(all.size())).key());
            }
            return Commands.vip(pick(VIP_ADDRESSES), pick(PORTS), rnd.nextBoolean() ? Commands.TCP : Commands.UDP);
        }

        static VipKey toProto(io.ringfleet.state.VipKey key) {
            return Commands.vip(
                    key.address().toString(), key.port(), key.protocol().toProto());
        }

        /** A member of the VIP two times in three (if it has any), else any real of the pool. */
        String realOf(VipKey vip) {
            Optional<VipImage> v = image.vips().all().stream()
                    .filter(x -> toProto(x.key()).equals(vip))
                    .findFirst();
            if (v.isPresent() && v.get().realCount() > 0 && rnd.nextInt(3) != 0) {
                return v.get()
                        .reals()
                        .get(rnd.nextInt(v.get().realCount()))
                        .address()
                        .toString();
            }
            return real();
        }

        String[] specs(VipKey vip, boolean members) {
            int n = 1 + rnd.nextInt(3);
            String[] out = new String[n];
            for (int i = 0; i < n; i++) {
                String address = members ? realOf(vip) : real();
                if (vip.getAddress().contains(":") && !address.contains(":") && rnd.nextInt(5) != 0) {
                    address = "fc00::" + (1 + rnd.nextInt(4));
                }
                out[i] = address + "=" + weight();
            }
            return out;
        }

        Command command() {
            VipKey vip = vip();
            switch (rnd.nextInt(20)) {
                case 0:
                case 1:
                case 2:
                    return Commands.addVip(
                            Commands.vip(
                                    pick(VIP_ADDRESSES), pick(PORTS), rnd.nextBoolean() ? Commands.TCP : Commands.UDP),
                            flags());
                case 3:
                    return Commands.removeVip(vip);
                case 4:
                    return Commands.modifyFlags(vip, flags(), flags());
                case 5:
                    return Commands.setHash(
                            vip,
                            rnd.nextBoolean()
                                    ? io.ringfleet.api.HashFunction.MAGLEV
                                    : io.ringfleet.api.HashFunction.MAGLEV_V2);
                case 6:
                case 7:
                case 8:
                    return rnd.nextBoolean()
                            ? Commands.addReals(vip, specs(vip, false))
                            : Commands.upsertReals(vip, specs(vip, true));
                case 9:
                case 10:
                    return rnd.nextBoolean()
                            ? Commands.removeReals(vip, realOf(vip))
                            : Commands.removeRealsIfPresent(vip, realOf(vip), real());
                case 11:
                    return Commands.setWeights(vip, realOf(vip) + "=" + weight());
                case 12:
                    return Commands.setHealthCheck(bad() ? 0 : 1 + rnd.nextInt(4), real());
                case 13:
                    return Commands.removeHealthCheck(1 + rnd.nextInt(4));
                case 14:
                    return Commands.mapQuic((bad() ? 0 : 1 + rnd.nextInt(5)) + "=" + real());
                case 15:
                    return Commands.unmapQuic(1 + rnd.nextInt(5));
                case 16:
                    return rnd.nextBoolean()
                            ? Commands.drain(bad() ? "lb 4" : pick(NODES), "maintenance")
                            : Commands.undrain(pick(NODES));
                case 17:
                    return Commands.setMac(bad() ? "01:00:5e:00:00:01" : pick(MACS));
                case 18:
                    return Commands.markDown(vip, realOf(vip));
                default:
                    return Commands.clearDown(vip, realOf(vip));
            }
        }
    }
}
