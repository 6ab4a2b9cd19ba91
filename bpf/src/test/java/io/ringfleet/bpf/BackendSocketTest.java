package io.ringfleet.bpf;

import static io.ringfleet.bpf.BackendDecapTest.GATEWAY;
import static io.ringfleet.bpf.BackendDecapTest.XDP_PASS;
import static io.ringfleet.bpf.BackendDecapTest.XDP_TX;
import static io.ringfleet.bpf.testing.TunnelFrames.balancerIpip;
import static io.ringfleet.bpf.testing.TunnelFrames.ethernet;
import static io.ringfleet.bpf.testing.TunnelFrames.gue;
import static io.ringfleet.bpf.testing.TunnelFrames.secondChancePayload;
import static io.ringfleet.bpf.testing.TunnelFrames.tcpPacket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.abi.BackendCounter;
import io.ringfleet.bpf.testing.Frames;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ringfleet-backend's second-chance decision against real sockets: a namespace of our own holds the VIP and the
 * client address on lo, a listener and one established connection (both ends in the namespace), and the program's
 * socket lookup runs in that namespace (BPF_PROG_TEST_RUN looks sockets up in the caller's namespace, so the runs are
 * made from a thread inside it). A segment of the established connection stays here; one that only the listener would
 * take, or that nothing would take, goes to the second real; a SYN stays. The control closes the connection with a
 * reset and shows the same segment then leaves: the verdict came from the socket.
 */
class BackendSocketTest {
    static final InetAddress VIP4 = HealthcheckTest.addr("10.203.0.1");
    static final InetAddress CLIENT4 = HealthcheckTest.addr("10.203.0.2");
    static final InetAddress VIP6 = HealthcheckTest.addr("fd00:5c:3::1");
    static final InetAddress CLIENT6 = HealthcheckTest.addr("fd00:5c:3::2");
    static final InetAddress LB = HealthcheckTest.addr("10.203.1.1");
    static final InetAddress HERE = HealthcheckTest.addr("10.203.1.5");
    static final InetAddress SECOND = HealthcheckTest.addr("10.203.1.9");
    static final int LISTEN_PORT = 8080;
    static final int CLOSED_PORT = 8081;

    private NetNs ns;
    private BackendProgram backend;
    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel accepted;

    @BeforeEach
    void setUp() {
        ns = NetNs.create("rfsc-sock");
        ns.ip("addr", "add", "10.203.0.1/32", "dev", "lo");
        ns.ip("addr", "add", "10.203.0.2/32", "dev", "lo");
        ns.ip("-6", "addr", "add", "fd00:5c:3::1/128", "dev", "lo", "nodad");
        ns.ip("-6", "addr", "add", "fd00:5c:3::2/128", "dev", "lo", "nodad");
        backend = new BackendProgram();
        backend.setGateway(GATEWAY);
    }

    @AfterEach
    void tearDown() {
        TestSupport.closeQuietly(client, accepted, listener, backend, ns);
    }

    /** A listener on vip:LISTEN_PORT and one connection to it from client; returns the client's port. */
    private int connect(InetAddress vip, InetAddress from) {
        return ns.call(() -> {
            listener = ServerSocketChannel.open().bind(new InetSocketAddress(vip, LISTEN_PORT));
            client = SocketChannel.open();
            client.bind(new InetSocketAddress(from, 0));
            client.connect(new InetSocketAddress(vip, LISTEN_PORT));
            accepted = listener.accept();
            return ((InetSocketAddress) client.getLocalAddress()).getPort();
        });
    }

    private static byte[] secondChanceFrame(byte[] client) {
        return ethernet(Frames.DST_MAC, Frames.SRC_MAC, gue(LB, HERE, secondChancePayload(SECOND, client)));
    }

    private TestRun.Result run(byte[] frame) {
        return ns.call(() -> backend.prog.testRun(TestRun.of(frame)));
    }

    private void assertStaysHere(byte[] client) {
        long local = backend.stat(BackendCounter.SC_LOCAL).packets();
        TestRun.Result r = run(secondChanceFrame(client));
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(ethernet(Frames.DST_MAC, Frames.SRC_MAC, client), r.data());
        assertEquals(local + 1, backend.stat(BackendCounter.SC_LOCAL).packets());
    }

    private void assertGoesToTheSecondReal(byte[] client) {
        long forwarded = backend.stat(BackendCounter.SC_FORWARDED).packets();
        TestRun.Result r = run(secondChanceFrame(client));
        assertEquals(XDP_TX, r.retval());
        assertArrayEquals(ethernet(GATEWAY, Frames.DST_MAC, balancerIpip(SECOND, client)), r.data());
        assertEquals(forwarded + 1, backend.stat(BackendCounter.SC_FORWARDED).packets());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v4", "v6"})
    void onlyAnEstablishedConnectionKeepsTheSegmentHere(String family) throws Exception {
        InetAddress vip = family.equals("v6") ? VIP6 : VIP4;
        InetAddress from = family.equals("v6") ? CLIENT6 : CLIENT4;
        int port = connect(vip, from);
        int ack = Frames.TCP_ACK;

        assertStaysHere(tcpPacket(from, vip, port, LISTEN_PORT, ack, 0)); // established
        assertGoesToTheSecondReal(tcpPacket(from, vip, port + 1, LISTEN_PORT, ack, 0)); // the listener's only
        assertGoesToTheSecondReal(tcpPacket(from, vip, port, CLOSED_PORT, ack, 0)); // nothing
        assertStaysHere(tcpPacket(from, vip, port + 1, LISTEN_PORT, Frames.TCP_SYN, 0)); // a new connection
        assertStaysHere(tcpPacket(from, vip, port, CLOSED_PORT, Frames.TCP_SYN, 0)); // the stack will reset it

        // control: reset the connection (no time-wait), and the same segment has no socket any more
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close();
        accepted.close();
        assertGoesToTheSecondReal(tcpPacket(from, vip, port, LISTEN_PORT, ack, 0));
    }
}
