package io.ringfleet.state;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.Commands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A seeded history at full scale (default limits: up to 512 VIPs, 4095 real indexes, thousands of marks and
 * QUIC ids), batches of 1..30 commands that build on each other. Folds every
 * entry's reply (code, message, failed command, records) and image digest, and every 50 entries the ring
 * digest of an incrementally maintained {@link FleetRings}, into one SHA-256 chain. About one command in
 * a hundred is refused (a bad value, a missing VIP or member), so long batches are refused now and then.
 *
 * <p>The chain is a cross-version fingerprint: {@code ImageAlgebraAtScaleTest} pins the values this class
 * printed on the core as it was before persistent maps (commit 28b1407), so any change in records,
 * allocation, rejection messages, digests or rings shows up. {@code main} prints the chains (run it on the
 * test classpath of any version).
 */
final class ScaledHistory {
    /** Small enough that VIP numbers and real indexes run out and are reused at scale. */
    static final FleetLimits TIGHT =
            FleetLimits.builder().maxVips(64).maxReals(1200).build();

    static final int RING_SIZE = 1021;

    private final FleetLimits limits;
    private final Random rnd;
    private final TreeMap<String, Integer> outcomes = new TreeMap<>();
    private FleetImage image = FleetImage.EMPTY;
    /** What earlier commands of the batch being generated removed or added (to keep most batches valid). */
    private final Set<String> gone = new HashSet<>();

    ScaledHistory(long seed, FleetLimits limits) {
        this.rnd = new Random(seed);
        this.limits = limits;
    }

    /** Runs {@code steps} entries; returns the chain's hex and leaves the last image in {@link #image()}. */
    /** The peers the seed-4 chain was pinned with (the settings are part of the digest). */
    private static final List<FleetPeer> PINNED_PEERS = List.of(
            io.ringfleet.state.testing.Commands.peer("n1", 1),
            io.ringfleet.state.testing.Commands.peer("n2", 2),
            io.ringfleet.state.testing.Commands.peer("n3", 3));

    String run(int steps) {
        MessageDigest chain = sha256();
        BatchApplier applier = new BatchApplier(new CommandValidator());
        if (!limits.equals(FleetLimits.DEFAULT)) {
            // Validation reads limits from the log only: the settings are bootstrapped before the history's first
            // entry (at index 0, outside the chain) so the entries keep their indexes.
            image = applier.apply(
                            image,
                            io.ringfleet.state.testing.Commands.batch(io.ringfleet.state.testing.Commands.bootstrap(
                                    FleetSettings.of(limits, PINNED_PEERS).toProto(), 1)),
                            new Provenance(1, 0))
                    .image();
        }
        FleetRings rings = FleetRings.empty(RING_SIZE);
        for (int i = 1; i <= steps; i++) {
            CommandBatch batch = batch(i);
            BatchApplier.Applied a = applier.apply(image, batch, new Provenance(1, i));
            chain.update(a.result().toReply(i, a.image().stateIndex()).toByteArray());
            outcomes.merge(
                    a.result()
                            .rejection()
                            .map(r -> r.code() + " " + r.message().replaceAll("[0-9a-f:.]+", "#"))
                            .orElse("OK"),
                    1,
                    Integer::sum);
            image = a.image();
            chain.update(image.digest());
            if (i % 50 == 0) {
                rings = rings.next(image);
                chain.update(rings.digest());
            }
        }
        chain.update(stateSnapshot(image));
        return HexFormat.of().formatHex(chain.digest());
    }

    /**
     * The snapshot bytes of the state alone: the header and the state's records, without the audit trail that
     * snapshots carry since it was added (it is not state, and the chains were pinned before it existed).
     */
    private static byte[] stateSnapshot(FleetImage image) {
        List<FleetRecord> state = SnapshotCodec.toRecords(image).stream()
                .filter(r -> r.getKindCase() != FleetRecord.KindCase.BATCH_AUDITED)
                .toList();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            SnapshotCodec.header(image, state.size()).writeDelimitedTo(out);
            for (FleetRecord r : state) {
                r.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    FleetImage image() {
        return image;
    }

    /** The next batch, generated against {@code current} (for callers that apply batches themselves). */
    CommandBatch nextBatch(FleetImage current, int step) {
        image = current;
        return batch(step);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String vipAddress(int i) {
        return i < 600 ? "10.100." + (i / 200) + "." + (i % 200 + 1) : "fc00:100::" + Integer.toHexString(i + 1);
    }

    static String realAddress(int i) {
        return i < 4000 ? "10.2." + (i / 250) + "." + (i % 250 + 1) : "fc00:2::" + Integer.toHexString(i + 1);
    }

    private boolean bad() {
        return rnd.nextInt(400) == 0;
    }

    private CommandBatch batch(int step) {
        int roll = rnd.nextInt(10);
        int n = roll < 4 ? 1 : roll < 8 ? 2 + rnd.nextInt(8) : 10 + rnd.nextInt(21);
        CommandBatch.Builder b = CommandBatch.newBuilder()
                .setPrincipal("op" + rnd.nextInt(3))
                .setViaNode("lb1")
                .setTimestampMillis(1_700_000_000_000L + step * 1000L)
                .setRequestId("s" + step);
        List<io.ringfleet.api.VipKey> added = new ArrayList<>();
        gone.clear();
        for (int i = 0; i < n; i++) {
            b.addCommands(command(added));
        }
        int expect = rnd.nextInt(20);
        if (expect == 0) {
            b.setExpectedStateIndex(image.stateIndex());
        } else if (expect == 1) {
            b.setExpectedStateIndex(image.stateIndex() + 1);
        }
        return b.build();
    }

    private io.ringfleet.api.VipKey anyVipKey() {
        int i = rnd.nextInt(700);
        return Commands.vip(vipAddress(i), i % 3 == 0 ? 443 : 80, i % 5 == 0 ? Commands.UDP : Commands.TCP);
    }

    /** An existing VIP most of the time (or one added earlier in this batch), else any key of the pool. */
    private io.ringfleet.api.VipKey vip(List<io.ringfleet.api.VipKey> added) {
        if (!added.isEmpty() && rnd.nextInt(3) == 0) {
            return added.get(rnd.nextInt(added.size()));
        }
        for (int attempt = 0; attempt < 5 && !image.vips().isEmpty() && rnd.nextInt(40) != 0; attempt++) {
            int rank = rnd.nextInt(image.vips().size());
            VipImage v = image.vips().all().stream().skip(rank).findFirst().orElseThrow();
            if (!gone.contains(v.key().toString())) {
                return RandomHistoryTest.Generator.toProto(v.key());
            }
        }
        return anyVipKey();
    }

    private VipImage current(io.ringfleet.api.VipKey key) {
        try {
            return image.vips()
                    .get(new VipKey(
                            IpAddress.parse(key.getAddress()),
                            key.getPort(),
                            key.getProtocol() == Commands.UDP ? Protocol.UDP : Protocol.TCP))
                    .orElse(null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String real(io.ringfleet.api.VipKey vip) {
        if (bad()) {
            return "10.2.0.300";
        }
        int i = vip.getAddress().contains(":") && rnd.nextInt(200) != 0 ? 4000 + rnd.nextInt(500) : rnd.nextInt(4500);
        return realAddress(i);
    }

    /** A member of the VIP (as of the image the batch started from) most of the time. */
    private String member(io.ringfleet.api.VipKey vip) {
        VipImage v = current(vip);
        for (int attempt = 0; attempt < 5 && v != null && v.realCount() > 0 && rnd.nextInt(60) != 0; attempt++) {
            String address = v.reals().get(rnd.nextInt(v.realCount())).address().toString();
            if (!gone.contains(vip.getAddress() + vip.getPort() + vip.getProtocol() + "/" + address)) {
                return address;
            }
        }
        return real(vip);
    }

    private int weight() {
        return bad() ? 70000 : rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(200);
    }

    /** Up to {@code max} distinct addresses (once in a while one listed twice). */
    private List<String> addresses(io.ringfleet.api.VipKey vip, int max, boolean members) {
        int n = 1 + rnd.nextInt(max);
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < 3 * n && out.size() < n; i++) {
            out.add(members ? member(vip) : real(vip));
        }
        List<String> list = new ArrayList<>(out);
        if (rnd.nextInt(300) == 0) {
            list.add(list.get(0));
        }
        return list;
    }

    private String[] specs(io.ringfleet.api.VipKey vip, int max, boolean members) {
        return addresses(vip, max, members).stream()
                .map(a -> a + "=" + weight())
                .toArray(String[]::new);
    }

    /** These addresses of the VIP are added or removed by the batch: later commands leave them alone. */
    private String[] mark(io.ringfleet.api.VipKey vip, String[] specsOrAddresses) {
        for (String s : specsOrAddresses) {
            gone.add(vip.getAddress() + vip.getPort() + vip.getProtocol() + "/" + s.split("=")[0]);
        }
        return specsOrAddresses;
    }

    private Command command(List<io.ringfleet.api.VipKey> added) {
        int roll = rnd.nextInt(100);
        if (roll < 10) {
            io.ringfleet.api.VipKey key = anyVipKey();
            added.add(key);
            int flags = bad() ? 0x400 : rnd.nextInt(4) == 0 ? VipFlags.HASH_NO_SRC_PORT : 0;
            return Commands.addVip(key, flags);
        }
        io.ringfleet.api.VipKey vip = vip(List.of());
        VipImage existing = current(vip);
        boolean empty = existing == null || existing.realCount() == 0;
        if ((roll < 30 && roll >= 12) || (roll >= 30 && roll < 70 && empty && rnd.nextInt(10) != 0)) {
            io.ringfleet.api.VipKey target = roll < 30 ? vip(added) : vip;
            List<String> fresh = new ArrayList<>();
            VipImage v = current(target);
            for (String spec : specs(target, 40, false)) {
                String address = spec.split("=")[0];
                boolean member = v != null
                        && v.reals().stream()
                                .anyMatch(r -> r.address().toString().equals(address));
                if (!gone.contains(target.getAddress() + target.getPort() + target.getProtocol() + "/" + address)
                        && (!member || rnd.nextInt(100) == 0)) {
                    fresh.add(spec);
                }
            }
            if (fresh.isEmpty()) {
                fresh.add(specs(target, 1, false)[0]);
            }
            return Commands.addReals(target, mark(target, fresh.toArray(String[]::new)));
        }
        if (roll < 12) {
            VipImage v = current(vip);
            if (v != null) {
                gone.add(v.key().toString());
            }
            return Commands.removeVip(vip);
        }
        if (roll < 35) {
            return Commands.upsertReals(vip, specs(vip, 10, true));
        }
        if (roll < 45) {
            String[] out = mark(vip, addresses(vip, 8, true).toArray(String[]::new));
            return rnd.nextInt(3) != 0 ? Commands.removeRealsIfPresent(vip, out) : Commands.removeReals(vip, out);
        }
        if (roll < 70) {
            return Commands.setWeights(vip, specs(vip, 5, true));
        }
        if (roll < 73) {
            return Commands.modifyFlags(
                    vip,
                    rnd.nextBoolean() ? VipFlags.HASH_NO_SRC_PORT : 0,
                    rnd.nextBoolean() ? VipFlags.HASH_DPORT_ONLY : 0);
        }
        if (roll < 76) {
            return Commands.setHash(
                    vip,
                    rnd.nextBoolean() ? io.ringfleet.api.HashFunction.MAGLEV : io.ringfleet.api.HashFunction.MAGLEV_V2);
        }
        if (roll < 82) {
            VipImage v = current(vip);
            if (v == null || v.key().protocol() != Protocol.UDP) {
                return Commands.setHash(vip, io.ringfleet.api.HashFunction.MAGLEV_V2);
            }
            if (!v.hasFlag(VipFlags.UDP_FLOW_MIGRATION)) {
                return Commands.modifyFlags(vip, VipFlags.UDP_FLOW_MIGRATION, 0);
            }
            return rnd.nextBoolean() ? Commands.markDown(vip, member(vip)) : Commands.clearDown(vip, member(vip));
        }
        if (roll < 87) {
            if (rnd.nextInt(3) == 0 && !image.healthChecks().isEmpty()) {
                List<Long> marks = new ArrayList<>(image.healthChecks().all().keySet());
                return Commands.removeHealthCheck((int) (long) marks.get(rnd.nextInt(marks.size())));
            }
            return Commands.setHealthCheck(bad() ? 0 : 1 + rnd.nextInt(5000), real(vip));
        }
        if (roll < 94) {
            if (rnd.nextInt(3) == 0 && !image.quicIds().isEmpty()) {
                List<QuicMapping> ids = new ArrayList<>(image.quicIds().all());
                return Commands.unmapQuic((int) ids.get(rnd.nextInt(ids.size())).serverId());
            }
            int n = 1 + rnd.nextInt(5);
            String[] mappings = new String[n];
            for (int i = 0; i < n; i++) {
                mappings[i] = (1 + rnd.nextInt(3000)) + "=" + real(vip);
            }
            return Commands.mapQuic(mappings);
        }
        if (roll < 98) {
            String node = "lb-" + rnd.nextInt(40);
            return rnd.nextBoolean() ? Commands.drain(node, "maintenance") : Commands.undrain(node);
        }
        return Commands.setMac(rnd.nextBoolean() ? "02:00:00:00:00:0" + rnd.nextInt(10) : "00:00:de:ad:be:af");
    }

    /** Prints the chains of the runs the test pins: seeds 1..3 at the default limits, seed 4 at {@link #TIGHT}. */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        for (long seed = 1; seed <= 4; seed++) {
            ScaledHistory h = new ScaledHistory(seed, seed == 4 ? TIGHT : FleetLimits.DEFAULT);
            long start = System.nanoTime();
            String chain = h.run(steps);
            System.out.printf(
                    "seed %d steps %d: %s (%d vips, %d reals, %d hc, %d quic; %d ms)%n",
                    seed,
                    steps,
                    chain,
                    h.image().vips().size(),
                    h.image().reals().size(),
                    h.image().healthChecks().size(),
                    h.image().quicIds().size(),
                    (System.nanoTime() - start) / 1_000_000);
            if (System.getProperty("outcomes") != null) {
                h.outcomes.forEach((k, v) -> System.out.println("  " + v + " " + k));
            }
        }
    }
}
