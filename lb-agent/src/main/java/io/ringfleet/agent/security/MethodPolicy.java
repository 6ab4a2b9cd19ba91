package io.ringfleet.agent.security;

import io.grpc.MethodDescriptor;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.katran.KatranServiceGrpc;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which role may call which API method. Reads are listed one by one; every other method — present or
 * added later — needs an operator, so a new write cannot slip through as a read.
 */
public final class MethodPolicy {
    private final Set<String> reads;

    private MethodPolicy(Set<String> reads) {
        this.reads = Set.copyOf(reads);
    }

    /** The policy of the Ringfleet API: ControlService and KatranService. */
    public static MethodPolicy ringfleet() {
        Set<String> reads = new TreeSet<>();
        for (MethodDescriptor<?, ?> m : new MethodDescriptor<?, ?>[] {
            ControlServiceGrpc.getListVipsMethod(),
            ControlServiceGrpc.getGetVipMethod(),
            ControlServiceGrpc.getGetVipFlagsMethod(),
            ControlServiceGrpc.getListRealsMethod(),
            ControlServiceGrpc.getListHealthCheckDstsMethod(),
            ControlServiceGrpc.getListQuicServerIdsMethod(),
            ControlServiceGrpc.getListNodesMethod(),
            ControlServiceGrpc.getGetGatewayMacMethod(),
            ControlServiceGrpc.getGetFleetSettingsMethod(),
            ControlServiceGrpc.getHistoryMethod(),
            ControlServiceGrpc.getGetRealHealthMethod(),
            ControlServiceGrpc.getGetStatusMethod(),
            ControlServiceGrpc.getGetDigestsMethod(),
            ControlServiceGrpc.getWaitProgrammedMethod(),
            ControlServiceGrpc.getGetStatsMethod(),
            KatranServiceGrpc.getGetMacMethod(),
            KatranServiceGrpc.getGetAllVipsMethod(),
            KatranServiceGrpc.getGetVipFlagsMethod(),
            KatranServiceGrpc.getGetRealsForVipMethod(),
            KatranServiceGrpc.getGetQuicRealsMappingMethod(),
            KatranServiceGrpc.getGetStatsForVipMethod(),
            KatranServiceGrpc.getGetLruStatsMethod(),
            KatranServiceGrpc.getGetLruMissStatsMethod(),
            KatranServiceGrpc.getGetLruFallbackStatsMethod(),
            KatranServiceGrpc.getGetIcmpTooBigStatsMethod(),
            KatranServiceGrpc.getGetHealthcheckersDstMethod()
        }) {
            reads.add(m.getFullMethodName());
        }
        return new MethodPolicy(reads);
    }

    public boolean isRead(String fullMethodName) {
        return reads.contains(fullMethodName);
    }

    /** Every role reads; only operators call anything else. */
    public boolean allows(Role role, String fullMethodName) {
        return role.canWrite() || isRead(fullMethodName);
    }
}
