package io.ringfleet.agent.cli;

import io.ringfleet.api.ControlServiceGrpc.ControlServiceBlockingStub;
import io.ringfleet.api.GetGatewayMacRequest;
import io.ringfleet.api.GetGatewayMacResponse;
import io.ringfleet.api.HealthCheckDst;
import io.ringfleet.api.ListHealthCheckDstsRequest;
import io.ringfleet.api.ListHealthCheckDstsResponse;
import io.ringfleet.api.ListQuicServerIdsRequest;
import io.ringfleet.api.ListQuicServerIdsResponse;
import io.ringfleet.api.ListVipsRequest;
import io.ringfleet.api.ListVipsResponse;
import io.ringfleet.api.QuicServerId;
import io.ringfleet.api.RealInfo;
import io.ringfleet.api.VipInfo;
import io.ringfleet.config.spec.FleetSpec;
import io.ringfleet.config.spec.VipId;
import io.ringfleet.config.spec.VipSpec;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads the fleet's current state through the List RPCs as a complete {@link FleetSpec}, with the state index it
 * is of. The four reads are linearizable but separate: if a write lands between them their state indexes differ,
 * and the reads are made again, so a plan is always computed from one state.
 */
final class FleetStateReader {
    private static final int ATTEMPTS = 5;

    /** The state as a spec, and the state index it was read at. */
    record State(FleetSpec spec, long stateIndex) {}

    private FleetStateReader() {}

    static State read(ControlServiceBlockingStub control) throws LbctlException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            ListVipsResponse vips = control.listVips(
                    ListVipsRequest.newBuilder().setWithReals(true).build());
            ListHealthCheckDstsResponse marks =
                    control.listHealthCheckDsts(ListHealthCheckDstsRequest.getDefaultInstance());
            ListQuicServerIdsResponse quic = control.listQuicServerIds(ListQuicServerIdsRequest.getDefaultInstance());
            GetGatewayMacResponse mac = control.getGatewayMac(GetGatewayMacRequest.getDefaultInstance());
            long index = vips.getStamp().getStateIndex();
            if (marks.getStamp().getStateIndex() == index
                    && quic.getStamp().getStateIndex() == index
                    && mac.getStamp().getStateIndex() == index) {
                return new State(spec(vips, marks, quic, mac), index);
            }
        }
        throw new LbctlException(
                ExitCodes.UNAVAILABLE,
                "the fleet's state changed during each of " + ATTEMPTS + " reads: try again when writes are quieter");
    }

    private static FleetSpec spec(
            ListVipsResponse vips,
            ListHealthCheckDstsResponse marks,
            ListQuicServerIdsResponse quic,
            GetGatewayMacResponse mac) {
        SortedMap<VipId, VipSpec> byId = new TreeMap<>();
        for (VipInfo v : vips.getVipsList()) {
            VipSpec spec = vip(v);
            byId.put(spec.id(), spec);
        }
        SortedMap<Long, IpAddress> dsts = new TreeMap<>();
        for (HealthCheckDst d : marks.getDstsList()) {
            dsts.put(Integer.toUnsignedLong(d.getSomark()), IpAddress.parse(d.getAddress()));
        }
        SortedMap<Long, IpAddress> ids = new TreeMap<>();
        for (QuicServerId q : quic.getMappingsList()) {
            ids.put(Integer.toUnsignedLong(q.getServerId()), IpAddress.parse(q.getAddress()));
        }
        Optional<MacAddress> gateway =
                mac.getMac().isEmpty() ? Optional.empty() : Optional.of(MacAddress.parse(mac.getMac()));
        return new FleetSpec(Optional.empty(), gateway, byId, Optional.of(dsts), Optional.of(ids));
    }

    private static VipSpec vip(VipInfo v) {
        SortedMap<IpAddress, Integer> reals = new TreeMap<>();
        for (RealInfo r : v.getRealsList()) {
            reals.put(IpAddress.parse(r.getAddress()), r.getWeight());
        }
        return new VipSpec(
                VipId.fromProto(v.getVip()),
                v.getFlags(),
                Optional.of(HashFunction.fromProto(v.getHashFunction())),
                reals);
    }
}
