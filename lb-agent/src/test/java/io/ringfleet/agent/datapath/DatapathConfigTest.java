package io.ringfleet.agent.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.config.IdList;
import io.ringfleet.config.NodeSettings;
import io.ringfleet.config.XdpMode;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's settings and the fleet limits become the datapath's sizes and attach target. */
class DatapathConfigTest {
    private static NodeSettings.Builder node() {
        return NodeSettings.builder("lb1").interfaceName("eth0").gatewayMac(MacAddress.parse("02:00:00:00:00:01"));
    }

    @Test
    void aNodesSettingsGiveSizesConnectionTablesAndPins() {
        NodeSettings settings = node().lruSize(4096)
                .forwardingCpus(IdList.of(List.of(0, 1), IdList.MAX_CPU))
                .pinDir(Path.of("/sys/fs/bpf/lb1"))
                .build();
        DatapathConfig config = DatapathConfig.forNode(
                settings,
                FleetLimits.builder().maxVips(64).maxReals(1024).ringSize(65537).build());
        assertEquals(64, config.maxVips());
        assertEquals(1024, config.maxReals());
        assertEquals(4096, config.lruSizePerCpu());
        assertEquals(List.of(0, 1), config.connTableCpus());
        assertEquals(Path.of("/sys/fs/bpf/lb1"), config.pinDir().orElseThrow());
        assertEquals(64 * DatapathConfig.RING_SIZE, config.balancerMapSizes().get("ch_rings"));
        assertEquals(128, config.balancerMapSizes().get("vip_addrs"));

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DatapathConfig.forNode(
                        settings,
                        FleetLimits.builder()
                                .maxVips(64)
                                .maxReals(1024)
                                .ringSize(65521)
                                .build()));
        assertTrue(e.getMessage().contains("ringSize must be 65537"), e.getMessage());
    }

    @Test
    void aNodesHealthCheckSourcesGoToTheDatapath() throws Exception {
        Inet4Address v4 = (Inet4Address) InetAddress.getByName("10.0.0.11");
        Inet6Address v6 = (Inet6Address) InetAddress.getByName("fd00::11");
        FleetLimits limits = FleetLimits.DEFAULT;
        DatapathConfig both = DatapathConfig.forNode(
                node().healthCheckSourceV4(v4).healthCheckSourceV6(v6).build(), limits);
        assertEquals(v4, both.healthCheckSourceV4().orElseThrow());
        assertEquals(v6, both.healthCheckSourceV6().orElseThrow());
        DatapathConfig none = DatapathConfig.forNode(node().build(), limits);
        assertTrue(none.healthCheckSourceV4().isEmpty());
        assertTrue(none.healthCheckSourceV6().isEmpty());
    }

    @Test
    void theBalancerSettingChoosesTheBuildAndSizesThePreviousRings() {
        FleetLimits limits =
                FleetLimits.builder().maxVips(16).maxReals(1024).ringSize(65537).build();
        DatapathConfig plain = DatapathConfig.forNode(node().build(), limits);
        assertEquals(BalancerVariant.BALANCER, plain.variant());
        assertTrue(!plain.balancerMapSizes().containsKey("ch_rings_prev"), "the plain build has no previous rings");
        DatapathConfig sc = DatapathConfig.forNode(
                node().balancer(io.ringfleet.config.BalancerBuild.SECOND_CHANCE).build(), limits);
        assertEquals(BalancerVariant.SECOND_CHANCE, sc.variant());
        assertEquals("balancer_sc", sc.variant().objectName());
        assertEquals(
                sc.balancerMapSizes().get("ch_rings"), sc.balancerMapSizes().get("ch_rings_prev"));
    }

    @Test
    void theAttachModeChoosesTheTarget() {
        assertEquals(
                new XdpTarget.Standalone("eth0", XdpMode.GENERIC),
                XdpTarget.of(node().xdpMode(XdpMode.GENERIC).build()));
        assertEquals(
                new XdpTarget.Shared(Path.of("/sys/fs/bpf/root/root_array"), 2),
                XdpTarget.of(
                        node().shared(Path.of("/sys/fs/bpf/root/root_array"), 2).build()));
    }
}
