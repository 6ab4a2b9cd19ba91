package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.bench.BalancerRig;
import io.ringfleet.bpf.testing.Frames;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The balancer registered in an xdp_root slot ("shared mode") forwards as it does standalone. */
class BalancerSharedModeTest {
    private static final int XDP_PASS = 2;
    private static final int XDP_TX = 3;

    @Test
    void theBalancerInSlotZeroForwardsAndPassesOtherTraffic() {
        InetAddress client = HealthcheckTest.addr("10.93.0.2");
        InetAddress vip = HealthcheckTest.addr("10.94.0.1");
        InetAddress real = HealthcheckTest.addr("10.95.0.5");
        try (BalancerRig rig = new BalancerRig(BalancerNetnsTest.balancerObject(), 1, 1024);
                BpfObject rootObj =
                        BpfObject.open(Bpf.shippedObject("xdp_root")).load();
                BpfProgram root = rootObj.program("xdp_root");
                BpfMap slots = rootObj.map("root_array")) {
            rig.setReal(1, real);
            rig.addVip(vip, 53, 17, 0, 0, 1);
            rig.setGatewayMac(new byte[] {2, 0, 0, 0, 0, 9});
            slots.setProgram(0, rig.program());

            byte[] in = Frames.udp(client, vip, 40000, 53, "shared".getBytes());
            TestRun.Result r = root.testRun(TestRun.of(in));
            assertEquals(XDP_TX, r.retval());
            assertEquals(in.length + 20, r.data().length);
            assertEquals(4, r.data()[23]);
            assertArrayEquals(real.getAddress(), Arrays.copyOfRange(r.data(), 30, 34));
            assertArrayEquals(Arrays.copyOfRange(in, 14, in.length), Arrays.copyOfRange(r.data(), 34, r.data().length));

            byte[] other = Frames.udp(client, HealthcheckTest.addr("10.94.0.77"), 40000, 53, new byte[8]);
            TestRun.Result p = root.testRun(TestRun.of(other));
            assertEquals(XDP_PASS, p.retval());
            assertArrayEquals(other, p.data());
        }
    }
}
