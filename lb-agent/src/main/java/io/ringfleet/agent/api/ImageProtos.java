package io.ringfleet.agent.api;

import com.google.protobuf.ByteString;
import io.ringfleet.api.BatchAudited;
import io.ringfleet.api.GetFleetSettingsResponse;
import io.ringfleet.api.HealthCheckDst;
import io.ringfleet.api.HistoryEntry;
import io.ringfleet.api.NodeInfo;
import io.ringfleet.api.NodeVersion;
import io.ringfleet.api.QuicServerId;
import io.ringfleet.api.ReadStamp;
import io.ringfleet.api.RealInfo;
import io.ringfleet.api.VipInfo;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.NodeDrain;
import io.ringfleet.state.QuicMapping;
import io.ringfleet.state.Real;
import io.ringfleet.state.SettingsImage;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.VipReal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Image → API messages. Every list comes out in the image's order (ascending number, index or id). */
final class ImageProtos {
    private ImageProtos() {}

    static ReadStamp stamp(String nodeId, FleetImage image) {
        return ReadStamp.newBuilder()
                .setNodeId(nodeId)
                .setAppliedIndex(image.index())
                .setStateIndex(image.stateIndex())
                .setTerm(image.term())
                .build();
    }

    /** The settings domain as the GetFleetSettings answer, without its stamp. */
    static GetFleetSettingsResponse.Builder fleetSettings(SettingsImage image) {
        GetFleetSettingsResponse.Builder b =
                GetFleetSettingsResponse.newBuilder().setFleetVersion(image.fleetVersion());
        image.settings().ifPresent(s -> b.setSettings(s.toProto()).setSettingsDigest(ByteString.copyFrom(s.digest())));
        image.nodeVersions()
                .forEach((id, version) ->
                        b.addNodeVersions(NodeVersion.newBuilder().setNodeId(id).setSupportedVersion(version)));
        return b;
    }

    static io.ringfleet.api.VipKey vipKey(VipKey key) {
        return io.ringfleet.api.VipKey.newBuilder()
                .setAddress(key.address().toString())
                .setPort(key.port())
                .setProtocol(key.protocol().toProto())
                .build();
    }

    static VipInfo vip(VipImage vip, boolean withReals, FleetRings rings) {
        VipInfo.Builder b = VipInfo.newBuilder()
                .setVip(vipKey(vip.key()))
                .setVipNum(vip.vipNum())
                .setFlags(vip.flags())
                .addAllFlagNames(VipFlags.names(vip.flags()))
                .setHashFunction(vip.hashFunction().toProto())
                .setRealCount(vip.realCount());
        if (withReals) {
            b.addAllReals(members(vip));
        }
        rings.ring(vip.vipNum()).ifPresent(r -> b.setRingDigest(ByteString.copyFrom(r.ringDigest())));
        return b.build();
    }

    static List<RealInfo> members(VipImage vip) {
        List<RealInfo> out = new ArrayList<>();
        for (VipReal r : vip.reals()) {
            out.add(RealInfo.newBuilder()
                    .setAddress(r.address().toString())
                    .setRealIndex(r.realIndex())
                    .setWeight(r.weight())
                    .setDown(vip.isDown(r.realIndex()))
                    .build());
        }
        return out;
    }

    static List<RealInfo> realsTable(FleetImage image) {
        List<RealInfo> out = new ArrayList<>();
        for (Real r : image.reals().all()) {
            out.add(RealInfo.newBuilder()
                    .setAddress(r.address().toString())
                    .setRealIndex(r.index())
                    .setReferences(r.references())
                    .build());
        }
        return out;
    }

    static List<HealthCheckDst> healthChecks(FleetImage image) {
        List<HealthCheckDst> out = new ArrayList<>();
        for (Map.Entry<Long, IpAddress> e : image.healthChecks().all().entrySet()) {
            out.add(HealthCheckDst.newBuilder()
                    .setSomark(e.getKey().intValue())
                    .setAddress(e.getValue().toString())
                    .build());
        }
        return out;
    }

    static List<QuicServerId> quicIds(FleetImage image) {
        List<QuicServerId> out = new ArrayList<>();
        for (QuicMapping m : image.quicIds().all()) {
            out.add(QuicServerId.newBuilder()
                    .setServerId((int) m.serverId())
                    .setAddress(m.address().toString())
                    .setRealIndex(m.realIndex())
                    .build());
        }
        return out;
    }

    static List<NodeInfo> drainedNodes(FleetImage image) {
        List<NodeInfo> out = new ArrayList<>();
        for (NodeDrain d : image.nodes().drained()) {
            out.add(NodeInfo.newBuilder()
                    .setNodeId(d.nodeId())
                    .setDrained(true)
                    .setDrainReason(d.reason())
                    .setDrainedAtMillis(d.drainedAtMillis())
                    .setDrainedBy(d.drainedBy())
                    .build());
        }
        return out;
    }

    /** Audit-trail entries as the API shows them (same fields as the BatchAudited records). */
    static List<HistoryEntry> history(List<BatchAudited> entries) {
        List<HistoryEntry> out = new ArrayList<>(entries.size());
        for (BatchAudited e : entries) {
            out.add(HistoryEntry.newBuilder()
                    .setLogIndex(e.getLogIndex())
                    .setTerm(e.getTerm())
                    .setPrincipal(e.getPrincipal())
                    .setViaNode(e.getViaNode())
                    .setTimestampMillis(e.getTimestampMillis())
                    .setRequestId(e.getRequestId())
                    .setCommandCount(e.getCommandCount())
                    .setCode(e.getCode())
                    .setMessage(e.getMessage())
                    .setFailedCommandIndex(e.getFailedCommandIndex())
                    .build());
        }
        return out;
    }
}
