package io.ringfleet.state.testing;

import io.ringfleet.api.AddFilterRule;
import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ClearRealDown;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.DeleteFilterRule;
import io.ringfleet.api.DnsQueryMatch;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.FilterAction;
import io.ringfleet.api.FilterMode;
import io.ringfleet.api.FilterRuleSpec;
import io.ringfleet.api.FinalizeFleetVersion;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.MarkRealDown;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.ReportNodeVersion;
import io.ringfleet.api.SetFilterRuleMode;
import io.ringfleet.api.SetFleetSettings;
import io.ringfleet.api.SetGatewayMac;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.SetVipHashFunction;
import io.ringfleet.api.UndrainNode;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Terse builders of the api's commands, for every module's tests: vip("10.0.0.1", 80, TCP),
 * addReals(vip, "10.0.0.1=1", "10.0.0.2=5"), batch(...), applyRequest(...).
 */
public final class Commands {
    public static final Protocol TCP = Protocol.TCP;
    public static final Protocol UDP = Protocol.UDP;

    /** The principal and the time every test batch is stamped with, unless a test passes its own principal. */
    public static final String PRINCIPAL = "test";

    public static final long TIMESTAMP_MILLIS = 1_700_000_000_000L;

    private Commands() {}

    public static VipKey vip(String address, int port, Protocol protocol) {
        return VipKey.newBuilder()
                .setAddress(address)
                .setPort(port)
                .setProtocol(protocol)
                .build();
    }

    /** "address=weight" pairs. */
    public static List<RealSpec> reals(String... specs) {
        List<RealSpec> out = new ArrayList<>();
        for (String s : specs) {
            int eq = s.lastIndexOf('=');
            out.add(RealSpec.newBuilder()
                    .setAddress(s.substring(0, eq))
                    .setWeight(Integer.parseUnsignedInt(s.substring(eq + 1)))
                    .build());
        }
        return out;
    }

    public static Command addVip(VipKey vip) {
        return addVip(vip, 0);
    }

    public static Command addVip(VipKey vip, int flags) {
        return Command.newBuilder()
                .setAddVip(AddVip.newBuilder().setVip(vip).setFlags(flags))
                .build();
    }

    public static Command removeVip(VipKey vip) {
        return Command.newBuilder()
                .setRemoveVip(RemoveVip.newBuilder().setVip(vip))
                .build();
    }

    public static Command modifyFlags(VipKey vip, int set, int clear) {
        return Command.newBuilder()
                .setModifyVipFlags(
                        ModifyVipFlags.newBuilder().setVip(vip).setSetFlags(set).setClearFlags(clear))
                .build();
    }

    public static Command setHash(VipKey vip, HashFunction hash) {
        return Command.newBuilder()
                .setSetVipHashFunction(
                        SetVipHashFunction.newBuilder().setVip(vip).setHashFunction(hash))
                .build();
    }

    /** "address=weight" pairs. */
    public static Command addReals(VipKey vip, String... specs) {
        return Command.newBuilder()
                .setAddReals(AddReals.newBuilder().setVip(vip).addAllReals(reals(specs)))
                .build();
    }

    public static Command upsertReals(VipKey vip, String... specs) {
        return Command.newBuilder()
                .setAddReals(AddReals.newBuilder()
                        .setVip(vip)
                        .addAllReals(reals(specs))
                        .setUpdateExisting(true))
                .build();
    }

    public static Command removeReals(VipKey vip, String... addresses) {
        return Command.newBuilder()
                .setRemoveReals(RemoveReals.newBuilder().setVip(vip).addAllAddresses(List.of(addresses)))
                .build();
    }

    public static Command removeRealsIfPresent(VipKey vip, String... addresses) {
        return Command.newBuilder()
                .setRemoveReals(RemoveReals.newBuilder()
                        .setVip(vip)
                        .addAllAddresses(List.of(addresses))
                        .setIgnoreMissing(true))
                .build();
    }

    /** "address=weight" pairs. */
    public static Command setWeights(VipKey vip, String... specs) {
        return Command.newBuilder()
                .setSetRealWeights(SetRealWeights.newBuilder().setVip(vip).addAllReals(reals(specs)))
                .build();
    }

    public static Command setHealthCheck(int somark, String address) {
        return Command.newBuilder()
                .setSetHealthCheckDst(
                        SetHealthCheckDst.newBuilder().setSomark(somark).setAddress(address))
                .build();
    }

    public static Command removeHealthCheck(int somark) {
        return Command.newBuilder()
                .setRemoveHealthCheckDst(RemoveHealthCheckDst.newBuilder().setSomark(somark))
                .build();
    }

    /** "id=address" pairs. */
    public static Command mapQuic(String... mappings) {
        MapQuicServerIds.Builder b = MapQuicServerIds.newBuilder();
        for (String m : mappings) {
            int eq = m.indexOf('=');
            b.addMappings(QuicMapping.newBuilder()
                    .setServerId(Integer.parseUnsignedInt(m.substring(0, eq)))
                    .setAddress(m.substring(eq + 1)));
        }
        return Command.newBuilder().setMapQuicServerIds(b).build();
    }

    public static Command unmapQuic(int... ids) {
        UnmapQuicServerIds.Builder b = UnmapQuicServerIds.newBuilder();
        for (int id : ids) {
            b.addServerIds(id);
        }
        return Command.newBuilder().setUnmapQuicServerIds(b).build();
    }

    public static Command drain(String node, String reason) {
        return Command.newBuilder()
                .setDrainNode(DrainNode.newBuilder().setNodeId(node).setReason(reason))
                .build();
    }

    public static Command undrain(String node) {
        return Command.newBuilder()
                .setUndrainNode(UndrainNode.newBuilder().setNodeId(node))
                .build();
    }

    public static Command setMac(String mac) {
        return Command.newBuilder()
                .setSetGatewayMac(SetGatewayMac.newBuilder().setMac(mac))
                .build();
    }

    public static Command markDown(VipKey vip, String address) {
        return Command.newBuilder()
                .setMarkRealDown(MarkRealDown.newBuilder().setVip(vip).setAddress(address))
                .build();
    }

    public static Command clearDown(VipKey vip, String address) {
        return Command.newBuilder()
                .setClearRealDown(ClearRealDown.newBuilder().setVip(vip).setAddress(address))
                .build();
    }

    /** Peer {@code id} with control addresses on 10.255.0.{n}: raft :7000, api :7001, metrics :7002. */
    public static FleetPeer peer(String id, int n) {
        String host = "10.255.0." + n;
        return new FleetPeer(id, host + ":7000", host + ":7001", host + ":7002");
    }

    /** The test fleet's peers: lb1, lb2, lb3 on 10.255.0.1..3. */
    public static final List<FleetPeer> PEERS = List.of(peer("lb1", 1), peer("lb2", 2), peer("lb3", 3));

    /** Settings of {@code limits} and {@link #PEERS}. */
    public static FleetSettingsSpec settings(FleetLimits limits) {
        return FleetSettings.of(limits, PEERS).toProto();
    }

    /** Set-if-absent fleet settings, finalising {@code fleetVersion} when they are absent. */
    public static Command bootstrap(FleetSettingsSpec settings, int fleetVersion) {
        return Command.newBuilder()
                .setSetFleetSettings(SetFleetSettings.newBuilder()
                        .setSettings(settings)
                        .setBootstrap(true)
                        .setFleetVersion(fleetVersion))
                .build();
    }

    /** Bootstrap of {@code limits} and {@link #PEERS} at {@code fleetVersion}. */
    public static Command bootstrap(FleetLimits limits, int fleetVersion) {
        return bootstrap(settings(limits), fleetVersion);
    }

    /** A change of settings the log already holds (whole settings). */
    public static Command setSettings(FleetSettingsSpec settings) {
        return Command.newBuilder()
                .setSetFleetSettings(SetFleetSettings.newBuilder().setSettings(settings))
                .build();
    }

    public static Command reportVersion(String node, int supported) {
        return Command.newBuilder()
                .setReportNodeVersion(
                        ReportNodeVersion.newBuilder().setNodeId(node).setSupportedVersion(supported))
                .build();
    }

    public static Command finalizeVersion(int version) {
        return Command.newBuilder()
                .setFinalizeFleetVersion(FinalizeFleetVersion.newBuilder().setVersion(version))
                .build();
    }

    /** add_filter_rule of {@code rule}. */
    public static Command addFilterRule(FilterRuleSpec rule) {
        return Command.newBuilder()
                .setAddFilterRule(AddFilterRule.newBuilder().setRule(rule))
                .build();
    }

    /** add_filter_rule of {@code rule}. */
    public static Command addFilterRule(FilterRuleSpec.Builder rule) {
        return addFilterRule(rule.build());
    }

    public static Command deleteFilterRule(String name) {
        return Command.newBuilder()
                .setDeleteFilterRule(DeleteFilterRule.newBuilder().setName(name))
                .build();
    }

    public static Command setFilterRuleMode(String name, FilterMode mode) {
        return Command.newBuilder()
                .setSetFilterRuleMode(
                        SetFilterRuleMode.newBuilder().setName(name).setMode(mode))
                .build();
    }

    /** An enforced rule dropping what comes from {@code prefix}, priority 100. */
    public static FilterRuleSpec.Builder dropFrom(String name, String prefix) {
        return FilterRuleSpec.newBuilder()
                .setName(name)
                .setPriority(100)
                .setSourcePrefix(prefix)
                .setAction(FilterAction.FILTER_DROP)
                .setMode(FilterMode.FILTER_ENFORCE);
    }

    /** An enforced rule dropping UDP/53 queries for {@code pattern} (qtype 0: any type), priority 100. */
    public static FilterRuleSpec.Builder dropDns(String name, String pattern, int qtype) {
        return FilterRuleSpec.newBuilder()
                .setName(name)
                .setPriority(100)
                .setDns(DnsQueryMatch.newBuilder().setPattern(pattern).setQtype(qtype))
                .setAction(FilterAction.FILTER_DROP)
                .setMode(FilterMode.FILTER_ENFORCE);
    }

    /** One log entry's batch, stamped as {@link #PRINCIPAL} at {@link #TIMESTAMP_MILLIS}, request id "req". */
    public static CommandBatch batch(Command... commands) {
        return batch(PRINCIPAL, "req", commands);
    }

    /** One log entry's batch, stamped as {@code principal} at {@link #TIMESTAMP_MILLIS}. */
    public static CommandBatch batch(String principal, String requestId, Command... commands) {
        return CommandBatch.newBuilder()
                .addAllCommands(List.of(commands))
                .setPrincipal(principal)
                .setViaNode("lb1")
                .setTimestampMillis(TIMESTAMP_MILLIS)
                .setRequestId(requestId)
                .build();
    }

    /** What a client sends to a node's ControlService; the node stamps it. */
    public static ApplyRequest applyRequest(Command... commands) {
        return ApplyRequest.newBuilder().addAllCommands(List.of(commands)).build();
    }
}
