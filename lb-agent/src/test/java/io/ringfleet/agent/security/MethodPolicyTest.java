package io.ringfleet.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.katran.KatranServiceGrpc;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MethodPolicyTest {
    private final MethodPolicy policy = MethodPolicy.ringfleet();

    private static final Set<String> WRITES = Set.of(
            "ringfleet.v1.ControlService/Apply",
            "ringfleet.v1.ControlService/LeaveFleet",
            "ringfleet.v1.ControlService/JoinFleet",
            "lb.katran.KatranService/changeMac",
            "lb.katran.KatranService/addVip",
            "lb.katran.KatranService/delVip",
            "lb.katran.KatranService/modifyVip",
            "lb.katran.KatranService/addRealForVip",
            "lb.katran.KatranService/delRealForVip",
            "lb.katran.KatranService/modifyRealsForVip",
            "lb.katran.KatranService/modifyReal",
            "lb.katran.KatranService/modifyQuicRealsMapping",
            "lb.katran.KatranService/addHealthcheckerDst",
            "lb.katran.KatranService/delHealthcheckerDst");

    @Test
    void exactlyTheWritesNeedAnOperator() {
        Set<String> needOperator = new TreeSet<>();
        for (ServiceDescriptor service : new ServiceDescriptor[] {
            ControlServiceGrpc.getServiceDescriptor(), KatranServiceGrpc.getServiceDescriptor()
        }) {
            for (MethodDescriptor<?, ?> m : service.getMethods()) {
                assertTrue(policy.allows(Role.OPERATOR, m.getFullMethodName()));
                if (!policy.allows(Role.READ_ONLY, m.getFullMethodName())) {
                    needOperator.add(m.getFullMethodName());
                }
                assertEquals(
                        policy.allows(Role.READ_ONLY, m.getFullMethodName()),
                        policy.allows(Role.NODE, m.getFullMethodName()));
            }
        }
        assertEquals(new TreeSet<>(WRITES), needOperator);
    }

    @Test
    void anUnknownMethodIsNotARead() {
        assertFalse(policy.allows(Role.READ_ONLY, "ringfleet.v1.ControlService/SomethingNew"));
    }
}
