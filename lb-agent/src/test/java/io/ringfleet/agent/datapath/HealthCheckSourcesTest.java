package io.ringfleet.agent.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.bpf.abi.HcReal;
import io.ringfleet.bpf.testing.Bpffs;
import io.ringfleet.bpf.testing.Frames;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The configured health-check sources land in the pinned hc_ctl at open, are rewritten only when they change,
 * leave the entry's MACs and egress device alone, and are the outer source of a marked packet.
 */
class HealthCheckSourcesTest {
    private static final int TC_ACT_OK = 0;
    private static final Inet4Address SOURCE_V4 = v4("10.77.0.11");
    private static final Inet4Address OTHER_V4 = v4("10.77.0.12");
    private static final Inet6Address SOURCE_V6 = v6("fd00:77::11");
    private static final byte[] GATEWAY = {2, 0, 0, 0, 0, 9};

    private Path pins;

    @BeforeEach
    void pinDir() {
        pins = Bpffs.newDir("rf-agent-test-hcsrc");
    }

    @AfterEach
    void removePins() {
        Bpffs.deleteTree(pins);
    }

    private DatapathConfig config(Inet4Address v4, Inet6Address v6) {
        return DatapathConfig.builder()
                .maxVips(2)
                .fallbackConnTableOnly()
                .pinDir(pins)
                .healthCheckSources(v4, v6)
                .build();
    }

    private static HcCtl control(BalancerDatapath datapath) {
        return HcCtl.decode(
                datapath.map("hc_ctl").lookup(BpfMap.u32(HcCtl.MAIN)).orElseThrow());
    }

    @Test
    void theSourcesLandInHcCtlAndARestartRewritesOnlyAChange() {
        try (BalancerDatapath first = BalancerDatapath.open(config(SOURCE_V4, SOURCE_V6))) {
            assertTrue(first.healthCheckSourcesWritten());
            assertEquals(new HcCtl(SOURCE_V4, SOURCE_V6, 0, null, null), control(first));
            // Something outside the config (an operator) sets a destination MAC: the agent must keep it.
            first.setHealthCheckControl(new HcCtl(SOURCE_V4, SOURCE_V6, 0, null, GATEWAY));
        }
        try (BalancerDatapath same = BalancerDatapath.open(config(SOURCE_V4, SOURCE_V6))) {
            assertTrue(same.mapsReused());
            assertFalse(same.healthCheckSourcesWritten(), "same settings: hc_ctl is not rewritten");
            assertEquals(new HcCtl(SOURCE_V4, SOURCE_V6, 0, null, GATEWAY), control(same));
        }
        try (BalancerDatapath changed = BalancerDatapath.open(config(OTHER_V4, null))) {
            assertTrue(changed.healthCheckSourcesWritten());
            HcCtl ctl = control(changed);
            assertEquals(OTHER_V4, ctl.sourceV4());
            assertNull(ctl.sourceV6(), "a source taken out of the config is taken out of hc_ctl");
            assertArrayEquals(GATEWAY, ctl.destinationMac(), "the MAC the config does not hold stays");
        }
    }

    @Test
    void withoutTheForwarderNothingIsWritten() {
        try (BalancerDatapath datapath = BalancerDatapath.open(DatapathConfig.builder()
                .maxVips(2)
                .fallbackConnTableOnly()
                .healthCheck(false)
                .healthCheckSources(SOURCE_V4, null)
                .build())) {
            assertFalse(datapath.healthCheckSourcesWritten());
            assertFalse(datapath.hasMap("hc_ctl"));
        }
    }

    @Test
    void aMarkedPacketLeavesWithTheConfiguredSource() {
        try (BalancerDatapath datapath = BalancerDatapath.open(config(SOURCE_V4, SOURCE_V6))) {
            int mark = 7;
            Inet4Address real = v4("10.77.2.5");
            datapath.map("hc_reals").update(BpfMap.u32(mark), new HcReal(real).encode());
            byte[] inner = Frames.tcp4(v4("10.77.0.11"), v4("10.77.1.1"), 40000, 80, Frames.TCP_SYN);

            TestRun.Result r = datapath.healthCheckProgram()
                    .orElseThrow()
                    .testRun(TestRun.of(inner).skbMark(mark));

            assertEquals(TC_ACT_OK, r.retval());
            byte[] out = r.data();
            assertEquals(inner.length + 20, out.length);
            assertEquals(4, out[23], "outer protocol IPIP");
            assertArrayEquals(SOURCE_V4.getAddress(), Arrays.copyOfRange(out, 26, 30), "outer source");
            assertArrayEquals(real.getAddress(), Arrays.copyOfRange(out, 30, 34), "outer destination");
            assertArrayEquals(Arrays.copyOfRange(inner, 14, inner.length), Arrays.copyOfRange(out, 34, out.length));
        }
    }

    private static Inet4Address v4(String literal) {
        return (Inet4Address) address(literal);
    }

    private static Inet6Address v6(String literal) {
        return (Inet6Address) address(literal);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
