package io.ringfleet.agent.daemon;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.cli.LbctlRunner;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import io.ringfleet.api.ControlServiceGrpc.ControlServiceBlockingStub;
import io.ringfleet.api.GetVipRequest;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipWithFlags;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.maglev.MaglevReal;
import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fleet-config settings that reach the kernel through a real agent: {@code limits.maglev: v2} as the hash
 * function of VIPs added without one (KatranService, ControlService, lbctl), down to the ring in ch_rings, and
 * the node's health-check sources in hc_ctl.
 */
class FleetConfigDefaultsE2eTest {
    private static final int RING = MaglevRing.DEFAULT_SIZE;

    @Test
    void theFleetsMaglevVersionAndTheNodesHealthCheckSourcesApply() throws Exception {
        String node = "    healthcheck-source-v4: 10.77.0.11\n    healthcheck-source-v6: fd00:77::11";
        try (AgentFleet fleet =
                new AgentFleet(TestPki.shared(), List.of("lb1"), Set.of(), 4, Map.of("lb1", node), "  maglev: v2")) {
            fleet.startAll(Duration.ofSeconds(60));
            LbAgent agent = fleet.agent("lb1");
            HcCtl ctl = HcCtl.decode(agent.datapath()
                    .map("hc_ctl")
                    .lookup(BpfMap.u32(HcCtl.MAIN))
                    .orElseThrow());
            assertEquals(InetAddress.getByName("10.77.0.11"), ctl.sourceV4());
            assertEquals(InetAddress.getByName("fd00:77::11"), ctl.sourceV6());

            VipKey katranVip = vip("10.200.0.1", 80, TCP);
            VipKey explicitV1 = vip("10.200.0.2", 80, TCP);
            VipKey lbctlVip = vip("10.200.0.3", 80, TCP);
            assertTrue(fleet.katran("lb1", "alice")
                    .addVip(VipWithFlags.newBuilder()
                            .setVip(VipId.newBuilder()
                                    .setAddress("10.200.0.1")
                                    .setPort(80)
                                    .setProtocol(6))
                            .build())
                    .getSuccess());
            ControlServiceBlockingStub control = fleet.control("lb1", "alice");
            apply(
                    control,
                    Command.newBuilder()
                            .setAddVip(AddVip.newBuilder().setVip(explicitV1).setHashFunction(HashFunction.MAGLEV))
                            .build());
            LbctlRunner lbctl = new LbctlRunner(fleet.target("lb1"), fleet.pki.ca(), fleet.pki.dir);
            LbctlRunner.Result added = lbctl.as("alice", "vip", "add", "tcp", "10.200.0.3:80");
            assertEquals(0, added.exit(), added.toString());

            assertEquals(HashFunction.MAGLEV_V2, hashOf(control, katranVip));
            assertEquals(HashFunction.MAGLEV, hashOf(control, explicitV1));
            assertEquals(HashFunction.MAGLEV_V2, hashOf(control, lbctlVip));

            // Weights that V1 and V2 spread differently: the kernel's ring is the V2 one.
            long index = apply(control, addReals(katranVip, "10.0.0.1=1", "10.0.0.2=5", "10.0.0.3=20"));
            fleet.awaitProgrammed(index, Duration.ofSeconds(60));
            VipImage vip = agent.image().vips().all().stream()
                    .filter(v -> v.key().toString().equals("10.200.0.1:80/tcp"))
                    .findFirst()
                    .orElseThrow();
            char[] v1 = ring(vip, MaglevRing.Variant.V1);
            char[] v2 = ring(vip, MaglevRing.Variant.V2);
            assertFalse(Arrays.equals(v1, v2), "the weights must tell V1 from V2");
            int[] kernel = agent.datapath().map("ch_rings").lookupRangeU32(vip.vipNum() * RING, RING);
            assertArrayEquals(toInts(v2), kernel);
            assertNotEquals(0, kernel[0]);
        }
    }

    private static long apply(ControlServiceBlockingStub control, Command command) {
        ApplyResponse r =
                control.apply(ApplyRequest.newBuilder().addCommands(command).build());
        return r.getLogIndex();
    }

    private static HashFunction hashOf(ControlServiceBlockingStub control, VipKey key) {
        return control.getVip(GetVipRequest.newBuilder().setVip(key).build())
                .getVip()
                .getHashFunction();
    }

    private static char[] ring(VipImage vip, MaglevRing.Variant variant) {
        List<MaglevReal> reals = vip.reals().stream()
                .filter(r -> r.weight() > 0)
                .map((VipReal r) ->
                        new MaglevReal(r.realIndex(), RealHash.of(r.address().bytes()), r.weight()))
                .toList();
        return MaglevRing.build(reals, RING, variant).slots();
    }

    private static int[] toInts(char[] slots) {
        int[] out = new int[slots.length];
        for (int i = 0; i < slots.length; i++) {
            out[i] = slots[i];
        }
        return out;
    }
}
