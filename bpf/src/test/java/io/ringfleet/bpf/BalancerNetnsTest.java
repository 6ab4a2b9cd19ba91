package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.bench.BalancerRig;
import io.ringfleet.bpf.testing.Frames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The balancer on a real device: a client namespace sends UDP to a VIP over a veth; the balancer,
 * attached to the LB end in driver or generic mode, encapsulates it IPIP towards the real and
 * sends it back out (XDP_TX) to the gateway MAC (the client's veth here); tcpdump on the client
 * side captures it and the test checks it.
 */
class BalancerNetnsTest {
    private static final InetAddress CLIENT = HealthcheckTest.addr("10.93.0.2");
    private static final InetAddress VIP = HealthcheckTest.addr("10.94.0.1");
    private static final InetAddress REAL = HealthcheckTest.addr("10.95.0.5");

    private static NetNs lb;
    private static NetNs client;
    private static BalancerRig rig;
    private static BpfObject helpers;
    private static BpfProgram clientPass;
    private static byte[] lbMac;
    private static byte[] clientMac;

    /** The balancer: shipped in the jar, or -Dringfleet.test.balancer=PATH. */
    static Path balancerObject() {
        String override = System.getProperty("ringfleet.test.balancer");
        if (override != null) {
            return Path.of(override);
        }
        Assumptions.assumeTrue(
                Bpf.class.getResource("/native/balancer.bpf.o") != null,
                "balancer.bpf.o is not built on this branch yet");
        return Bpf.shippedObject("balancer");
    }

    @BeforeAll
    static void setUp() throws Exception {
        Path balancer = balancerObject();
        lb = NetNs.create("rfbl");
        client = NetNs.create("rfbc");
        NetNs.vethPair(lb, "lb0", client, "cl0");
        lb.ip("addr", "add", "10.93.0.1/24", "dev", "lb0");
        client.ip("addr", "add", "10.93.0.2/24", "dev", "cl0");
        client.ip("route", "add", "10.94.0.0/24", "via", "10.93.0.1");
        lbMac = lb.call(() -> NetworkInterface.getByName("lb0").getHardwareAddress());
        clientMac = client.call(() -> NetworkInterface.getByName("cl0").getHardwareAddress());

        // the client's veth needs an XDP program for frames XDP_TX'ed by a driver-mode program to arrive
        helpers =
                BpfObject.open(TestSupport.testObject("bridge_test"), Map.of()).load();
        clientPass = helpers.program("xdp_pass_prog");
        client.run(() -> Xdp.attach(Xdp.ifindex("cl0"), clientPass, Xdp.Mode.DRIVER));

        rig = new BalancerRig(balancer, 1, 1024);
        rig.setReal(1, REAL);
        rig.addVip(VIP, 53, 17, 0, 0, 1);
        rig.setGatewayMac(clientMac);
    }

    @AfterAll
    static void tearDown() {
        TestSupport.closeQuietly(rig, clientPass, helpers, lb, client);
    }

    @ParameterizedTest
    @EnumSource(Xdp.Mode.class)
    void aPacketToTheVipLeavesIpipEncapsulatedTowardsTheReal(Xdp.Mode mode) throws Exception {
        int ifindex = lb.ifindex("lb0");
        lb.run(() -> Xdp.attach(ifindex, rig.program(), mode));
        try {
            assertEquals(rig.program().id(), lb.call(() -> Xdp.attachedId(ifindex, mode)));
            long tx0 = rig.global(GlobalCounter.XDP_TX.index()).packets();
            byte[] payload = ("probe-" + mode).getBytes(StandardCharsets.US_ASCII);
            try (Capture cap = Capture.start(client, "cl0", "ip proto 4")) {
                cap.awaitListening();
                client.run(() -> {
                    try (DatagramChannel ch = DatagramChannel.open()) {
                        ch.send(ByteBuffer.wrap(payload), new InetSocketAddress(VIP, 53));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                byte[] f = cap.frame(10_000);
                String hex = HexFormat.of().formatHex(f);
                assertArrayEquals(clientMac, Arrays.copyOfRange(f, 0, 6), "to the gateway MAC: " + hex);
                assertArrayEquals(lbMac, Arrays.copyOfRange(f, 6, 12), "from the LB's MAC: " + hex);
                assertEquals(0x0800, Frames.u16(f, 12));
                assertEquals(4, f[23], "IPIP: " + hex);
                assertEquals(Frames.ipv4Checksum(f, 14), Frames.u16(f, 24), "outer checksum");
                assertEquals((byte) 172, f[26], "outer source in 172.16/16: " + hex);
                assertEquals(16, f[27]);
                assertArrayEquals(REAL.getAddress(), Arrays.copyOfRange(f, 30, 34));
                assertArrayEquals(CLIENT.getAddress(), Arrays.copyOfRange(f, 34 + 12, 34 + 16));
                assertArrayEquals(VIP.getAddress(), Arrays.copyOfRange(f, 34 + 16, 34 + 20));
                assertEquals(53, Frames.u16(f, 54 + 2));
                assertArrayEquals(payload, Arrays.copyOfRange(f, 62, 62 + payload.length));
            }
            assertTrue(rig.global(GlobalCounter.XDP_TX.index()).packets() > tx0);
        } finally {
            lb.run(() -> Xdp.detach(ifindex, mode));
        }
    }
}
