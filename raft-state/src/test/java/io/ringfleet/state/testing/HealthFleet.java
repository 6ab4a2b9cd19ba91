package io.ringfleet.state.testing;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.HealthCheck;
import io.ringfleet.api.HealthCheckKind;
import io.ringfleet.api.RemoveVipHealthCheck;
import io.ringfleet.api.SetVipHealthCheck;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.command.CommandResult;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.health.HealthReports;
import io.ringfleet.state.health.RealPair;
import java.util.List;
import java.util.TreeSet;

/**
 * A fleet at version 3 (peers lb1..lb3) for health tests: one log, votes written as each agent writes them (its
 * own principal and via_node, its own log time), and what the rings make of the image.
 */
public final class HealthFleet extends CommandLog {
    private long clock = Commands.TIMESTAMP_MILLIS;
    private int requests;

    public HealthFleet() {
        this(FleetVersions.Rule.HEALTH_VERDICTS.version());
    }

    /** The same fleet bootstrapped at {@code fleetVersion} (at least 3). */
    public HealthFleet(int fleetVersion) {
        super(FleetLimits.DEFAULT, fleetVersion);
    }

    /** A TCP check of port 80 with the defaults, enabled or not. */
    public static HealthCheck tcpCheck(boolean enabled) {
        return HealthCheck.newBuilder()
                .setKind(HealthCheckKind.HEALTH_CHECK_TCP)
                .setPort(80)
                .setIntervalMs(2_000)
                .setTimeoutMs(1_000)
                .setRise(2)
                .setFall(3)
                .setEnabled(enabled)
                .build();
    }

    public static Command setCheck(VipKey vip, HealthCheck check) {
        return Command.newBuilder()
                .setSetVipHealthCheck(SetVipHealthCheck.newBuilder().setVip(vip).setCheck(check))
                .build();
    }

    public static Command removeCheck(VipKey vip) {
        return Command.newBuilder()
                .setRemoveVipHealthCheck(RemoveVipHealthCheck.newBuilder().setVip(vip))
                .build();
    }

    /** The log's clock: the timestamp the next vote batch carries. */
    public HealthFleet at(long millis) {
        clock = millis;
        return this;
    }

    public long now() {
        return clock;
    }

    /** Node's agent reports real of vip up or down, at the log's clock. */
    public CommandResult vote(String node, VipKey vip, String real, boolean up) {
        return submit(voteBatch(node, vip, real, up));
    }

    public CommandBatch voteBatch(String node, VipKey vip, String real, boolean up) {
        HealthPair pair = new HealthPair(key(vip), IpAddress.parse(real));
        return HealthReports.batch(node, clock, "vote-" + ++requests, List.of(HealthReports.command(node, pair, up)));
    }

    /** The pair by the ids the image allocated. */
    public RealPair pair(VipKey vip, String real) {
        FleetImage image = image();
        var v = image.vips().get(key(vip)).orElseThrow();
        int index = v.reals().stream()
                .filter(r -> r.address().equals(IpAddress.parse(real)))
                .findFirst()
                .orElseThrow()
                .realIndex();
        return new RealPair(v.vipNum(), index);
    }

    /** Real indexes that own at least one slot of the VIP's ring, built from the image alone. */
    public TreeSet<Integer> ringOwners(VipKey vip) {
        FleetImage image = image();
        var v = image.vips().get(key(vip)).orElseThrow();
        var ring = FleetRings.of(image, FleetLimits.DEFAULT)
                .ring(v.vipNum())
                .orElseThrow()
                .ring();
        TreeSet<Integer> owners = new TreeSet<>();
        v.reals().forEach(r -> {
            if (ring.slotsOwnedBy(r.realIndex()) > 0) {
                owners.add(r.realIndex());
            }
        });
        return owners;
    }

    public static io.ringfleet.state.VipKey key(VipKey proto) {
        return new io.ringfleet.state.VipKey(
                IpAddress.parse(proto.getAddress()),
                proto.getPort(),
                io.ringfleet.state.Protocol.fromProto(proto.getProtocol()));
    }
}
