package io.ringfleet.state.bench;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RealWeight;
import io.ringfleet.api.RealWeightChanged;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A full-size fleet for benchmarks: {@code vips} VIPs (Katran's 512 by default) of {@code realsPerVip}
 * members each, drawn from 4000 real addresses (so reals are shared between VIPs, as in a real fleet),
 * weights 1..3, built through the validator like the log would build it.
 */
final class FleetFixture {
    static final int DISTINCT_REALS = 4000;

    private FleetFixture() {}

    static String vipAddress(int v) {
        return "10.200." + (v / 250) + "." + (v % 250 + 1);
    }

    static String realAddress(int r) {
        return "10.1." + (r / 250) + "." + (r % 250 + 1);
    }

    static VipKey vipKey(int v) {
        return VipKey.newBuilder()
                .setAddress(vipAddress(v))
                .setPort(80)
                .setProtocol(Protocol.TCP)
                .build();
    }

    /** The batches that build the fleet: one per VIP (AddVip + AddReals). */
    static List<CommandBatch> buildBatches(int vips, int realsPerVip) {
        List<CommandBatch> out = new ArrayList<>();
        for (int v = 0; v < vips; v++) {
            AddReals.Builder reals = AddReals.newBuilder().setVip(vipKey(v));
            for (int k = 0; k < realsPerVip; k++) {
                reals.addReals(RealSpec.newBuilder()
                        .setAddress(realAddress((v * 8 + k) % DISTINCT_REALS))
                        .setWeight(1 + k % 3));
            }
            out.add(CommandBatch.newBuilder()
                    .addCommands(
                            Command.newBuilder().setAddVip(AddVip.newBuilder().setVip(vipKey(v))))
                    .addCommands(Command.newBuilder().setAddReals(reals))
                    .setPrincipal("bench")
                    .setViaNode("lb1")
                    .setTimestampMillis(1_700_000_000_000L)
                    .setRequestId("build-" + v)
                    .build());
        }
        return out;
    }

    static FleetImage image(int vips, int realsPerVip) {
        BatchApplier applier = new BatchApplier(new CommandValidator());
        FleetImage image = FleetImage.EMPTY;
        long index = 0;
        for (CommandBatch b : buildBatches(vips, realsPerVip)) {
            BatchApplier.Applied a = applier.apply(image, b, new Provenance(1, ++index));
            if (!a.result().isOk()) {
                throw new IllegalStateException("fixture batch rejected: " + a.result());
            }
            image = a.image();
        }
        return image;
    }

    /** {@code n} one-record log entries: a weight change of one member of a random VIP (seeded). */
    static List<FleetRecord> weightChanges(FleetImage image, int n, long seed) {
        Random rnd = new Random(seed);
        List<VipImage> vips = new ArrayList<>(image.vips().all());
        List<FleetRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            VipImage vip = vips.get(rnd.nextInt(vips.size()));
            VipReal member = vip.reals().get(rnd.nextInt(vip.realCount()));
            out.add(FleetRecord.newBuilder()
                    .setRealWeightChanged(RealWeightChanged.newBuilder()
                            .setVipNum(vip.vipNum())
                            .addWeights(RealWeight.newBuilder()
                                    .setRealIndex(member.realIndex())
                                    .setWeight(1 + rnd.nextInt(100))))
                    .build());
        }
        return out;
    }

    /** One batch of {@code n} SetRealWeights commands (one member each, seeded): many small changes in one entry. */
    static CommandBatch weightBatch(FleetImage image, int n, long seed) {
        CommandBatch.Builder batch = CommandBatch.newBuilder()
                .setPrincipal("bench")
                .setViaNode("lb1")
                .setTimestampMillis(1_700_000_000_000L)
                .setRequestId("weights-" + n);
        for (CommandBatch b : weightCommands(image, n, seed)) {
            batch.addCommands(b.getCommands(0));
        }
        return batch.build();
    }

    /** The whole fleet as one batch: {@code vips} x (AddVip + AddReals of {@code realsPerVip}). */
    static CommandBatch buildBatch(int vips, int realsPerVip) {
        CommandBatch.Builder batch = CommandBatch.newBuilder()
                .setPrincipal("bench")
                .setViaNode("lb1")
                .setTimestampMillis(1_700_000_000_000L)
                .setRequestId("build-all");
        for (CommandBatch b : buildBatches(vips, realsPerVip)) {
            batch.addAllCommands(b.getCommandsList());
        }
        return batch.build();
    }

    /** {@code n} one-command batches setting a member's weight, as an operator would send them (seeded). */
    static List<CommandBatch> weightCommands(FleetImage image, int n, long seed) {
        Random rnd = new Random(seed);
        List<VipImage> vips = new ArrayList<>(image.vips().all());
        List<CommandBatch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            VipImage vip = vips.get(rnd.nextInt(vips.size()));
            VipReal member = vip.reals().get(rnd.nextInt(vip.realCount()));
            out.add(CommandBatch.newBuilder()
                    .addCommands(Command.newBuilder()
                            .setSetRealWeights(SetRealWeights.newBuilder()
                                    .setVip(vipKey(vip.vipNum()))
                                    .addReals(RealSpec.newBuilder()
                                            .setAddress(member.address().toString())
                                            .setWeight(1 + rnd.nextInt(100)))))
                    .setPrincipal("bench")
                    .setViaNode("lb1")
                    .setTimestampMillis(1_700_000_000_000L + i)
                    .setRequestId("w-" + i)
                    .build());
        }
        return out;
    }
}
