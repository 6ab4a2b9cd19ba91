package io.ringfleet.chaos.sim;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.ClearRealDown;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.HealthCheck;
import io.ringfleet.api.HealthCheckKind;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.MarkRealDown;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.RemoveVipHealthCheck;
import io.ringfleet.api.SetFleetSettings;
import io.ringfleet.api.SetGatewayMac;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.SetVipHashFunction;
import io.ringfleet.api.SetVipHealthCheck;
import io.ringfleet.api.UndrainNode;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.health.HealthReports;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded operator changes: command batches, valid and invalid, for the simulated fleet. The generator keeps a
 * shadow image (the pure core applied to the batches in the order they were generated) so that most commands
 * name things that exist; the cluster applies them in whatever order the schedule's concurrency produces, so
 * some are rejected there and not here, which is part of the point. Everything comes from the seed: the same
 * seed gives the same batches, byte for byte.
 *
 * <p>Limits are small (4 VIPs, 7 reals, 2 health-check marks, QUIC ids 1..4) so that exhaustion, identifier
 * reuse and rejections happen within a few dozen batches.
 */
final class ChangeGenerator {
    static final FleetLimits LIMITS = FleetLimits.builder()
            .maxVips(4)
            .maxReals(8)
            .maxHealthCheckDsts(2)
            .maxQuicServerId(4)
            .ringSize(1021)
            .build();

    private static final String[] VIP_ADDRESSES = {"10.100.0.1", "10.100.0.2", "fd00:100::1"};
    private static final int[] PORTS = {0, 80, 443};
    private static final String[] REALS = {
        "10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6", "fd01::1", "fd01::2", "fd01::3"
    };
    private static final int[] WEIGHTS = {0, 1, 1, 2, 5, 100};
    private static final int[] FLAGS = {
        0, 0, VipFlags.HASH_NO_SRC_PORT, VipFlags.QUIC_VIP, VipFlags.UDP_FLOW_MIGRATION, VipFlags.LRU_BYPASS
    };
    private static final String[] MACS = {"02:00:00:00:00:01", "02:00:00:00:00:02"};

    private final Random rnd;
    /** Health checks and votes: their own stream, so the operator changes of a seed stay what they were. */
    private final Random healthRnd;

    private final String seedTag;
    private final List<String> nodeIds;
    private final BatchApplier shadowApplier = new BatchApplier(new CommandValidator());
    private FleetImage shadow = FleetImage.EMPTY;
    private int count;

    /**
     * @param nodeIds the LB node ids that drain commands name (the simulated nodes, plus strangers the
     *     generator may add)
     */
    ChangeGenerator(long seed, List<String> nodeIds) {
        this.rnd = new Random(seed ^ 0x5DEECE66DL);
        this.healthRnd = new Random(seed ^ 0x4EA17C4EC5L);
        this.seedTag = Long.toUnsignedString(seed, 36);
        this.nodeIds = List.copyOf(nodeIds);
    }

    /** The next batch: 1 to 3 commands, sometimes conditional on the state index. */
    CommandBatch next() {
        if (shadow.settings().settings().isEmpty()) {
            return finish(List.of(bootstrap())); // validation reads the small limits from the log only
        }
        if (healthRnd.nextBoolean() && !shadow.vips().isEmpty()) {
            return health();
        }
        int n = rnd.nextInt(10) < 7 ? 1 : 2 + rnd.nextInt(2);
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            commands.add(command());
        }
        return finish(commands);
    }

    /**
     * Set-if-absent settings: {@link #LIMITS} (the ring size is always the datapath's in the log; the sim's rings
     * use {@code LIMITS.ringSize()}) and the node ids as peers, at the highest fleet version this build supports.
     */
    private Command bootstrap() {
        List<FleetPeer> peers = new ArrayList<>();
        for (int i = 0; i < nodeIds.size(); i++) {
            String host = "10.254." + (i / 250) + "." + (i % 250 + 1);
            peers.add(new FleetPeer(nodeIds.get(i), host + ":7000", host + ":7001", ""));
        }
        return Command.newBuilder()
                .setSetFleetSettings(SetFleetSettings.newBuilder()
                        .setSettings(FleetSettings.of(LIMITS, peers).toProto())
                        .setBootstrap(true)
                        .setFleetVersion(FleetVersions.SUPPORTED))
                .build();
    }

    /** A batch that drains (or undrains) one node. */
    CommandBatch drain(String nodeId, boolean drain) {
        Command c = drain
                ? Command.newBuilder()
                        .setDrainNode(DrainNode.newBuilder().setNodeId(nodeId).setReason("sim maintenance"))
                        .build()
                : Command.newBuilder()
                        .setUndrainNode(UndrainNode.newBuilder().setNodeId(nodeId))
                        .build();
        return finish(List.of(c));
    }

    private CommandBatch finish(List<Command> commands) {
        String principal = "sim-op" + rnd.nextInt(3);
        if (rnd.nextInt(12) == 0) {
            // Conditional writes: right against the shadow, which the cluster may or may not share.
            long expected = rnd.nextBoolean() ? shadow.stateIndex() : shadow.stateIndex() + 1;
            return stamp(principal, operatorVia(), commands, expected);
        }
        return stamp(principal, operatorVia(), commands, -1);
    }

    /**
     * The node whose API stamps an operator's batch: a peer of the settings (the batch provenance rule of fleet
     * version 2 refuses any other; with "lb1", not a peer here, every change after the bootstrap was refused).
     */
    private String operatorVia() {
        return nodeIds.get(0);
    }

    /**
     * A health batch: mostly one LB's agent reporting its verdicts (stamped as that agent: principal agent:node,
     * via_node node, so the fold counts it), sometimes an operator setting, disabling or removing a VIP's check, and
     * now and then a forged or a stranger's vote (refused). Votes flip fast (one second of log time per batch), so
     * quorum changes, damping holds and panics all happen within a schedule.
     */
    private CommandBatch health() {
        List<VipImage> vips = new ArrayList<>(shadow.vips().all());
        VipImage vip = vips.get(healthRnd.nextInt(vips.size()));
        var check = shadow.health().check(vip.vipNum());
        if (check.isEmpty() || !check.get().enabled() || healthRnd.nextInt(25) == 0) {
            return stamp("sim-op-health", operatorVia(), List.of(checkCommand(vip)), -1);
        }
        if (vip.realCount() < 2) {
            return stamp("sim-op-health", operatorVia(), List.of(healthReals(vip)), -1);
        }
        String node = healthRnd.nextInt(20) == 0 ? "lb-stranger" : nodeIds.get(healthRnd.nextInt(nodeIds.size()));
        List<Command> votes = new ArrayList<>();
        for (int i = 1 + healthRnd.nextInt(2); i > 0; i--) {
            VipReal member = vip.reals().get(healthRnd.nextInt(vip.realCount()));
            votes.add(
                    HealthReports.command(node, new HealthPair(vip.key(), member.address()), healthRnd.nextInt(5) < 2));
        }
        boolean forged = healthRnd.nextInt(20) == 0; // an operator trying to vote for an LB: refused
        return stamp(forged ? "sim-op0" : HealthReports.AGENT_PRINCIPAL + node, node, votes, -1);
    }

    /** Three reals of the VIP's family, weight 1 (kept if already there): something to vote on. */
    private Command healthReals(VipImage vip) {
        AddReals.Builder b = AddReals.newBuilder().setVip(protoKey(vip)).setUpdateExisting(true);
        for (int i = 1; i <= 3; i++) {
            String address = vip.key().isV6() ? "fd01::" + i : "10.1.0." + i;
            b.addReals(RealSpec.newBuilder().setAddress(address).setWeight(1));
        }
        return Command.newBuilder().setAddReals(b).build();
    }

    private static VipKey protoKey(VipImage vip) {
        return VipKey.newBuilder()
                .setAddress(vip.key().address().toString())
                .setPort(vip.key().port())
                .setProtocol(vip.key().protocol().toProto())
                .build();
    }

    private Command checkCommand(VipImage vip) {
        VipKey key = protoKey(vip);
        int pick = healthRnd.nextInt(12);
        if (pick == 0) {
            return Command.newBuilder()
                    .setRemoveVipHealthCheck(RemoveVipHealthCheck.newBuilder().setVip(key))
                    .build();
        }
        HealthCheck check = HealthCheck.newBuilder()
                .setKind(HealthCheckKind.HEALTH_CHECK_TCP)
                .setPort(80)
                .setIntervalMs(pick == 1 ? 0 : 2_000) // interval 0 is refused
                .setTimeoutMs(1_000)
                .setRise(2)
                .setFall(3)
                .setEnabled(pick != 2)
                .build();
        return Command.newBuilder()
                .setSetVipHealthCheck(SetVipHealthCheck.newBuilder().setVip(key).setCheck(check))
                .build();
    }

    /** The batch as {@code principal} wrote it through {@code via}; -1: unconditional. Applied to the shadow. */
    private CommandBatch stamp(String principal, String via, List<Command> commands, long expectedStateIndex) {
        count++;
        CommandBatch.Builder b = CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal(principal)
                .setViaNode(via)
                .setTimestampMillis(1_750_000_000_000L + count * 1000L)
                .setRequestId("sim-" + seedTag + "-" + count);
        if (expectedStateIndex >= 0) {
            b.setExpectedStateIndex(expectedStateIndex);
        }
        CommandBatch batch = b.build();
        shadow = shadowApplier
                .apply(shadow, batch, new Provenance(1, shadow.index() + 1))
                .image();
        return batch;
    }

    private boolean bad() {
        return rnd.nextInt(30) == 0;
    }

    private <T> T pick(T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private int pick(int[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private Protocol protocol() {
        return rnd.nextBoolean() ? Protocol.TCP : Protocol.UDP;
    }

    private VipKey anyVip() {
        String address = bad() ? "10.100.0.300" : pick(VIP_ADDRESSES);
        return VipKey.newBuilder()
                .setAddress(address)
                .setPort(bad() ? 70_000 : pick(PORTS))
                .setProtocol(protocol())
                .build();
    }

    /** An existing VIP four times in five, else any key of the pool. */
    private VipKey vip() {
        if (!shadow.vips().isEmpty() && rnd.nextInt(5) != 0) {
            List<VipImage> all = new ArrayList<>(shadow.vips().all());
            io.ringfleet.state.VipKey key = all.get(rnd.nextInt(all.size())).key();
            return VipKey.newBuilder()
                    .setAddress(key.address().toString())
                    .setPort(key.port())
                    .setProtocol(key.protocol().toProto())
                    .build();
        }
        return anyVip();
    }

    private String real() {
        return bad() ? "10.1.0.256" : pick(REALS);
    }

    /** A member of the VIP two times in three (if it has any), else any real of the pool. */
    private String memberOf(VipKey vip) {
        for (VipImage v : shadow.vips().all()) {
            if (v.key().address().toString().equals(vip.getAddress())
                    && v.key().port() == vip.getPort()
                    && v.key().protocol().toProto() == vip.getProtocol()
                    && v.realCount() > 0
                    && rnd.nextInt(3) != 0) {
                return v.reals().get(rnd.nextInt(v.realCount())).address().toString();
            }
        }
        return real();
    }

    /** A real of the VIP's family most of the time (an IPv6 VIP rejects IPv4 reals). */
    private String realFor(VipKey vip) {
        String address = real();
        if (vip.getAddress().contains(":") && !address.contains(":") && rnd.nextInt(6) != 0) {
            address = "fd01::" + (1 + rnd.nextInt(3));
        }
        return address;
    }

    private List<RealSpec> specs(VipKey vip, boolean members) {
        int n = 1 + rnd.nextInt(3);
        List<RealSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String address = members ? memberOf(vip) : realFor(vip);
            out.add(RealSpec.newBuilder()
                    .setAddress(address)
                    .setWeight(bad() ? 70_000 : pick(WEIGHTS))
                    .build());
        }
        return out;
    }

    private String node() {
        return rnd.nextInt(8) == 0 ? "lb-stranger" : pick(nodeIds.toArray(new String[0]));
    }

    private Command command() {
        VipKey vip = vip();
        Command.Builder c = Command.newBuilder();
        switch (rnd.nextInt(22)) {
            case 0, 1, 2 ->
                c.setAddVip(AddVip.newBuilder()
                        .setVip(anyVip())
                        .setFlags(bad() ? 0x4000 : pick(FLAGS))
                        .setHashFunction(rnd.nextBoolean() ? HashFunction.MAGLEV : HashFunction.MAGLEV_V2));
            case 3 -> c.setRemoveVip(RemoveVip.newBuilder().setVip(vip));
            case 4 ->
                c.setModifyVipFlags(ModifyVipFlags.newBuilder()
                        .setVip(vip)
                        .setSetFlags(pick(FLAGS))
                        .setClearFlags(pick(FLAGS)));
            case 5 ->
                c.setSetVipHashFunction(SetVipHashFunction.newBuilder()
                        .setVip(vip)
                        .setHashFunction(rnd.nextBoolean() ? HashFunction.MAGLEV : HashFunction.MAGLEV_V2));
            case 6, 7, 8, 9 -> {
                boolean update = rnd.nextInt(3) == 0;
                c.setAddReals(AddReals.newBuilder()
                        .setVip(vip)
                        .addAllReals(specs(vip, update))
                        .setUpdateExisting(update));
            }
            case 10, 11 ->
                c.setRemoveReals(RemoveReals.newBuilder()
                        .setVip(vip)
                        .addAddresses(memberOf(vip))
                        .setIgnoreMissing(rnd.nextBoolean()));
            case 12, 13 ->
                c.setSetRealWeights(SetRealWeights.newBuilder().setVip(vip).addAllReals(specs(vip, true)));
            case 14 ->
                c.setSetHealthCheckDst(SetHealthCheckDst.newBuilder()
                        .setSomark(bad() ? 0 : 1 + rnd.nextInt(3))
                        .setAddress(real()));
            case 15 ->
                c.setRemoveHealthCheckDst(RemoveHealthCheckDst.newBuilder().setSomark(1 + rnd.nextInt(3)));
            case 16 ->
                c.setMapQuicServerIds(MapQuicServerIds.newBuilder()
                        .addMappings(QuicMapping.newBuilder()
                                .setServerId(bad() ? 0 : 1 + rnd.nextInt(5))
                                .setAddress(real())));
            case 17 -> c.setUnmapQuicServerIds(UnmapQuicServerIds.newBuilder().addServerIds(1 + rnd.nextInt(5)));
            case 18 ->
                c.setDrainNode(DrainNode.newBuilder()
                        .setNodeId(bad() ? "bad node!" : node())
                        .setReason("sim"));
            case 19 -> c.setUndrainNode(UndrainNode.newBuilder().setNodeId(node()));
            case 20 -> c.setSetGatewayMac(SetGatewayMac.newBuilder().setMac(bad() ? "ff:ff:ff:ff:ff:ff" : pick(MACS)));
            default -> {
                if (rnd.nextBoolean()) {
                    c.setMarkRealDown(MarkRealDown.newBuilder().setVip(vip).setAddress(memberOf(vip)));
                } else {
                    c.setClearRealDown(ClearRealDown.newBuilder().setVip(vip).setAddress(memberOf(vip)));
                }
            }
        }
        return c.build();
    }
}
