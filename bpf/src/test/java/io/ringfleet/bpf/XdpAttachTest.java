package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.abi.Counter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** XDP attach / replace / detach and live-frames test runs on a veth pair between two namespaces. */
class XdpAttachTest {
    private static NetNs a;
    private static NetNs b;
    private static BpfObject obj;
    private static BpfProgram pass;
    private static BpfProgram drop;
    private static BpfProgram counting;
    private static BpfMap counters;
    private static BpfMap control;

    @BeforeAll
    static void setUp() {
        a = NetNs.create("rfxa");
        b = NetNs.create("rfxb");
        NetNs.vethPair(a, "xa0", b, "xb0");
        a.ip("addr", "add", "10.77.0.1/24", "dev", "xa0");
        b.ip("addr", "add", "10.77.0.2/24", "dev", "xb0");
        obj = BpfObject.open(TestSupport.testObject("bridge_test"), Map.of()).load();
        pass = obj.program("xdp_pass_prog");
        drop = obj.program("xdp_drop_prog");
        counting = obj.program("bridge_xdp");
        counters = obj.map("t_percpu");
        control = obj.map("t_array");
    }

    @AfterAll
    static void tearDown() {
        TestSupport.closeQuietly(pass, drop, counting, counters, control, obj, a, b);
    }

    @ParameterizedTest
    @EnumSource(Xdp.Mode.class)
    void attachReplaceDetach(Xdp.Mode mode) {
        a.run(() -> {
            int ifindex = Xdp.ifindex("xa0");
            assertEquals(0, Xdp.attachedId(ifindex, mode));
            Xdp.attach(ifindex, pass, mode);
            try {
                assertEquals(pass.id(), Xdp.attachedId(ifindex, mode));
                BpfException busy = assertThrows(BpfException.class, () -> Xdp.attach(ifindex, drop, mode));
                assertTrue(
                        busy.errno() == BpfException.EBUSY || busy.errno() == BpfException.EEXIST, busy.getMessage());

                Xdp.replace(ifindex, drop, pass, mode);
                assertEquals(drop.id(), Xdp.attachedId(ifindex, mode));
                // a replace whose expected program is stale fails and changes nothing
                BpfException stale = assertThrows(BpfException.class, () -> Xdp.replace(ifindex, counting, pass, mode));
                assertEquals(BpfException.EEXIST, stale.errno());
                assertEquals(drop.id(), Xdp.attachedId(ifindex, mode));
                assertThrows(BpfException.class, () -> Xdp.detach(ifindex, pass, mode));
                Xdp.detach(ifindex, drop, mode);
                assertEquals(0, Xdp.attachedId(ifindex, mode));
            } finally {
                Xdp.detach(ifindex, mode);
            }
        });
    }

    @Test
    void anAttachedProgramSeesThePeersTraffic() {
        counters.updateAllCpus(BpfMap.u32(0), Counter.ZERO.encode());
        control.update(BpfMap.u32(0), BpfMap.u32(0));
        b.run(() -> Xdp.attach(Xdp.ifindex("xb0"), counting, Xdp.Mode.GENERIC));
        try {
            a.run(() -> {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    for (int i = 0; i < 3; i++) {
                        ch.send(ByteBuffer.wrap("ping".getBytes()), new InetSocketAddress("10.77.0.2", 9));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long deadline = System.currentTimeMillis() + 5000;
            long seen = 0;
            while (System.currentTimeMillis() < deadline && seen < 3) {
                seen = Counter.sum(counters.lookupPerCpu(BpfMap.u32(0)).orElseThrow())
                        .packets();
            }
            assertTrue(seen >= 3, "the program counted " + seen + " frames");
        } finally {
            b.run(() -> Xdp.detach(Xdp.ifindex("xb0"), Xdp.Mode.GENERIC));
        }
    }

    @Test
    void liveFramesRunThroughARealDevice() {
        byte[] frame = TestSupport.udpFrame(64);
        counters.updateAllCpus(BpfMap.u32(0), Counter.ZERO.encode());
        control.update(BpfMap.u32(0), BpfMap.u32(1)); // XDP_DROP
        try {
            // what holds without live frames: plain repeat runs the program once per repetition
            TestRun.Result plain = counting.testRun(TestRun.of(frame).repeat(1000));
            assertEquals(1, plain.retval());
            assertEquals(
                    1000,
                    Counter.sum(counters.lookupPerCpu(BpfMap.u32(0)).orElseThrow())
                            .packets());

            Optional<String> refused = a.call(() -> LiveFrames.refusal(pass, Xdp.ifindex("xa0"), frame));
            TestSupport.assumeFacility("XdpAttachTest.liveFramesRunThroughARealDevice", refused);

            counters.updateAllCpus(BpfMap.u32(0), Counter.ZERO.encode());
            TestRun.Result r = a.call(() -> counting.testRun(
                    TestRun.of(frame).liveFrames(Xdp.ifindex("xa0"), 0).repeat(1000)));
            assertEquals(0, r.data().length); // live mode returns no data and no verdict
            assertEquals(
                    1000,
                    Counter.sum(counters.lookupPerCpu(BpfMap.u32(0)).orElseThrow())
                            .packets());
            // the ingress device must exist in the calling thread's namespace
            BpfException e = assertThrows(
                    BpfException.class, () -> counting.testRun(TestRun.of(frame).liveFrames(999999, 0)));
            assertTrue(e.errno() == 19 || e.errno() == BpfException.EINVAL, e.getMessage()); // ENODEV
        } finally {
            control.update(BpfMap.u32(0), BpfMap.u32(0));
        }
    }
}
