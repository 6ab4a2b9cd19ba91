package io.ringfleet.bpf;

import static io.ringfleet.bpf.HealthcheckTest.REAL4;
import static io.ringfleet.bpf.HealthcheckTest.REAL6;
import static io.ringfleet.bpf.HealthcheckTest.SRC4;
import static io.ringfleet.bpf.HealthcheckTest.SRC6;
import static io.ringfleet.bpf.HealthcheckTest.VIP4;
import static io.ringfleet.bpf.HealthcheckTest.VIP6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.abi.HcCounter;
import io.ringfleet.bpf.testing.Frames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The health-check forwarder on a real device: namespace "lb" sends UDP to a VIP from a socket
 * with SO_MARK; healthcheck.bpf.c on lb's veth egress encapsulates it towards the real; tcpdump
 * in namespace "peer" captures the frame that arrives, and the test checks it byte by byte.
 */
class HealthcheckNetnsTest {
    private static NetNs lb;
    private static NetNs peer;
    private static HealthcheckProgram hc;
    private static Tc.Attachment attachment;

    @BeforeAll
    static void setUp() {
        lb = NetNs.create("rfhl");
        peer = NetNs.create("rfhp");
        NetNs.vethPair(lb, "hl0", peer, "hp0");
        lb.ip("addr", "add", "10.77.0.1/24", "dev", "hl0");
        peer.ip("addr", "add", "10.77.0.2/24", "dev", "hp0");
        lb.ip("-6", "addr", "add", "fd00:77::1/64", "dev", "hl0", "nodad");
        peer.ip("-6", "addr", "add", "fd00:77::2/64", "dev", "hp0", "nodad");
        lb.ip("route", "add", "10.77.1.0/24", "via", "10.77.0.2");
        lb.ip("-6", "route", "add", "fd00:77:1::/64", "via", "fd00:77::2");

        hc = new HealthcheckProgram();
        attachment = lb.call(() -> Tc.attachEgress(Xdp.ifindex("hl0"), hc.prog));
    }

    @AfterAll
    static void tearDown() {
        try {
            if (attachment != null) {
                lb.run(() -> {
                    Tc.detach(attachment);
                    assertEquals(
                            0,
                            Tc.attachedId(
                                    attachment.ifindex(),
                                    Tc.Direction.EGRESS,
                                    attachment.handle(),
                                    attachment.priority()));
                    Tc.destroyClsact(attachment.ifindex());
                });
            }
        } finally {
            TestSupport.closeQuietly(hc, lb, peer);
        }
    }

    private static void sendMarked(InetAddress vip, int port, int mark, byte[] payload) {
        lb.run(() -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                Sockets.setMark(ch, mark);
                ch.send(ByteBuffer.wrap(payload), new InetSocketAddress(vip, port));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void theAttachmentIsVisibleToTc() {
        assertEquals(hc.prog.id(), attachment.programId());
        assertEquals(
                hc.prog.id(),
                lb.call(() -> Tc.attachedId(
                        attachment.ifindex(), Tc.Direction.EGRESS, attachment.handle(), attachment.priority())));
    }

    @Test
    void aMarkedV4HealthCheckArrivesIpipEncapsulatedOnThePeer() throws Exception {
        byte[] payload = "hc-v4-probe".getBytes(StandardCharsets.US_ASCII);
        long before = hc.stat(HcCounter.FORWARDED).packets();
        try (Capture cap = Capture.start(peer, "hp0", "ip proto 4")) {
            cap.awaitListening();
            sendMarked(VIP4, 9999, 7, payload);
            byte[] f = cap.frame(10_000);
            assertEquals(0x0800, Frames.u16(f, 12));
            assertEquals(4, f[23], "outer protocol IPIP");
            assertArrayEquals(SRC4.getAddress(), Arrays.copyOfRange(f, 26, 30));
            assertArrayEquals(REAL4.getAddress(), Arrays.copyOfRange(f, 30, 34));
            assertEquals(Frames.ipv4Checksum(f, 14), Frames.u16(f, 24));
            // inner: the probe as the socket sent it, to the VIP
            assertEquals(0x45, f[34] & 0xff);
            assertEquals(17, f[34 + 9]);
            assertArrayEquals(SRC4.getAddress(), Arrays.copyOfRange(f, 34 + 12, 34 + 16));
            assertArrayEquals(VIP4.getAddress(), Arrays.copyOfRange(f, 34 + 16, 34 + 20));
            assertEquals(9999, Frames.u16(f, 54 + 2));
            assertArrayEquals(payload, Arrays.copyOfRange(f, 62, 62 + payload.length));
        }
        long after = hc.stat(HcCounter.FORWARDED).packets();
        assertTrue(after > before);
    }

    @Test
    void aMarkedV6HealthCheckArrivesIp6ip6EncapsulatedOnThePeer() throws Exception {
        byte[] payload = "hc-v6-probe".getBytes(StandardCharsets.US_ASCII);
        try (Capture cap = Capture.start(peer, "hp0", "ip6 proto 41")) {
            cap.awaitListening();
            sendMarked(VIP6, 9999, 8, payload);
            byte[] f = cap.frame(10_000);
            assertEquals(0x86DD, Frames.u16(f, 12));
            assertEquals(41, f[20], "outer next header IPv6");
            assertArrayEquals(SRC6.getAddress(), Arrays.copyOfRange(f, 22, 38));
            assertArrayEquals(REAL6.getAddress(), Arrays.copyOfRange(f, 38, 54));
            assertEquals(6, (f[54] & 0xff) >> 4);
            assertEquals(17, f[54 + 6]);
            assertArrayEquals(VIP6.getAddress(), Arrays.copyOfRange(f, 54 + 24, 54 + 40));
            assertEquals(9999, Frames.u16(f, 94 + 2));
            assertArrayEquals(payload, Arrays.copyOfRange(f, 102, 102 + payload.length));
        }
    }

    @Test
    void anUnmarkedPacketLeavesUnencapsulated() throws Exception {
        byte[] payload = "plain".getBytes(StandardCharsets.US_ASCII);
        try (Capture cap = Capture.start(peer, "hp0", "udp port 9998")) {
            cap.awaitListening();
            sendMarked(VIP4, 9998, 0, payload);
            byte[] f = cap.frame(10_000);
            assertEquals(17, f[23]);
            assertArrayEquals(VIP4.getAddress(), Arrays.copyOfRange(f, 30, 34));
        }
    }
}
