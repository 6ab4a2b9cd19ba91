package io.ringfleet.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.maglev.MaglevRing;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model's own argument checks, for code that builds settings without a file. */
class ModelTest {
    private static final MacAddress GW = MacAddress.parse("0a:1b:2c:3d:4e:5f");

    private static String iae(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void macAddressRoundTrip() {
        MacAddress m = MacAddress.parse("0A:1b:2C:3d:4E:5f");
        assertEquals("0a:1b:2c:3d:4e:5f", m.toString());
        assertArrayEquals(new byte[] {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}, m.bytes());
        assertEquals(m, MacAddress.fromBytes(m.bytes()));
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("00:00:00:00:00:00").isZero());
        assertEquals(
                "a MAC address has six colon-separated hex pairs, got \"0a-1b-2c-3d-4e-5f\"",
                iae(() -> MacAddress.parse("0a-1b-2c-3d-4e-5f")));
        assertEquals("\"a\" is not a hex pair (00 to ff)", iae(() -> MacAddress.parse("a:1b:2c:3d:4e:5f")));
    }

    @Test
    void nodeSettingsBuilderAppliesBuiltInDefaults() {
        NodeSettings n =
                NodeSettings.builder("lb1").interfaceName("eth0").gatewayMac(GW).build();
        assertEquals(XdpMode.DRIVER, n.xdpMode());
        assertEquals(AttachMode.STANDALONE, n.attachMode());
        assertEquals(Path.of("/sys/fs/bpf/ringfleet"), n.pinDir());
        assertEquals(Path.of("/var/lib/ringfleet"), n.dataDir());
        assertEquals(1_000_000, n.lruSize());
        assertEquals(n, n.toBuilder().build());
    }

    @Test
    void healthCheckSourcesInTheBuilder() throws Exception {
        Inet4Address v4 = (Inet4Address) InetAddress.getByName("10.0.0.11");
        Inet6Address v6 = (Inet6Address) InetAddress.getByName("fd00::11");
        NodeSettings n = NodeSettings.builder("lb1")
                .interfaceName("eth0")
                .gatewayMac(GW)
                .healthCheckSourceV4(v4)
                .healthCheckSourceV6(v6)
                .build();
        assertEquals(v4, n.healthCheckSourceV4().orElseThrow());
        assertEquals(v6, n.healthCheckSourceV6().orElseThrow());
        assertEquals(n, n.toBuilder().build());
        assertTrue(n.toBuilder()
                .healthCheckSourceV4(null)
                .build()
                .healthCheckSourceV4()
                .isEmpty());
        assertEquals(
                "healthCheckSourceV4 127.0.0.1 is not allowed (it is a loopback address); use an IPv4 unicast"
                        + " address of this node, e.g. 10.0.0.11",
                iae(() -> n.toBuilder().healthCheckSourceV4((Inet4Address) InetAddress.getLoopbackAddress())));
        Inet6Address multicast = (Inet6Address) InetAddress.getByName("ff02::1");
        assertEquals(
                "healthCheckSourceV6 ff02:0:0:0:0:0:0:1 is not allowed (it is a multicast address); use an IPv6"
                        + " unicast address of this node, e.g. fd00::11",
                iae(() -> n.toBuilder().healthCheckSourceV6(multicast)));
    }

    @Test
    void nodeSettingsBuilderSaysWhatIsAllowed() {
        assertEquals(
                "nodeId \"a b\" is not allowed; use 1 to 63 letters, digits, '.', '_' or '-', starting with a"
                        + " letter or digit",
                iae(() -> NodeSettings.builder("a b")));
        NodeSettings.Builder b = NodeSettings.builder("lb1");
        assertEquals(
                "interfaceName \"eth0:1\" is not allowed (it contains ':'); use a Linux interface name: 1 to 15"
                        + " characters, no '/', ':' or whitespace",
                iae(() -> b.interfaceName("eth0:1")));
        assertEquals("rootSlot must be from 0 to 3, got 4", iae(() -> b.shared(Path.of("/sys/fs/bpf/r"), 4)));
        assertEquals("lruSize must be from 1024 to 67108864 entries per CPU, got 10", iae(() -> b.lruSize(10)));
        assertEquals(
                "dataDir rel is not allowed (it is not absolute); use an absolute path without '.' or '..'"
                        + " segments",
                iae(() -> b.dataDir(Path.of("rel"))));
        assertEquals(
                "gatewayMac ff:ff:ff:ff:ff:ff is not allowed; use the gateway's unicast MAC (not all-zero,"
                        + " lowest bit of the first octet clear)",
                iae(() -> b.gatewayMac(MacAddress.parse("ff:ff:ff:ff:ff:ff"))));
        assertEquals(
                "netns \"a/b\" is not allowed (it contains '/'); use a network namespace name as `ip netns` shows"
                        + " it (1 to 64 letters, digits, '.', '_' or '-') or an absolute path such as /run/netns/lb1",
                iae(() -> b.netns("a/b")));
        assertEquals(
                "interfaceName is required; use a Linux interface name: 1 to 15 characters, no '/', ':' or"
                        + " whitespace",
                assertThrows(IllegalStateException.class, b::build).getMessage());
        b.interfaceName("eth0").gatewayMac(GW).pinDir(Path.of("/tmp/pins"));
        assertEquals(
                "pinDir /tmp/pins must be a directory under the bpffs mount /sys/fs/bpf",
                assertThrows(IllegalStateException.class, b::build).getMessage());
    }

    @Test
    void sharedAndStandaloneSwitchTheRootFields() {
        NodeSettings.Builder b =
                NodeSettings.builder("lb1").interfaceName("eth0").gatewayMac(GW).shared(Path.of("/sys/fs/bpf/root"), 1);
        assertEquals(1, b.build().rootSlot().getAsInt());
        NodeSettings s = b.standalone().build();
        assertFalse(s.rootSlot().isPresent());
        assertFalse(s.rootArrayPin().isPresent());
    }

    @Test
    void limitsCheckTheirRanges() {
        // The config's limits are raft-state's FleetLimits (its own Limits copy is gone); MaglevRing owns primality.
        assertEquals(
                "ringSize must be a prime from 2 to 16777213, got 65536",
                iae(() -> FleetLimits.builder().ringSize(65536)));
        assertEquals(
                "maxVips must be from 1 to 65536, got 0",
                iae(() -> FleetLimits.builder().maxVips(0)));
        assertEquals(
                "maxVips x ringSize must be at most 2147483647 ring slots, got 65536 x 65537",
                iae(() -> FleetLimits.builder().maxVips(65536).ringSize(65537).build()));
        assertTrue(MaglevRing.isValidSize(65537));
        assertTrue(MaglevRing.isValidSize(16_777_213));
        assertFalse(MaglevRing.isValidSize(16_777_215));
        assertFalse(MaglevRing.isValidSize(1));
    }

    @Test
    void peerConfigChecks() {
        HostPort a = new HostPort("10.0.0.1", 1);
        assertEquals(
                "raftAddress and apiAddress must differ, both are 10.0.0.1:1",
                iae(() -> new PeerConfig("lb1", PeerRole.VOTER, a, a)));
        assertEquals(
                "peer addresses must be reachable, not wildcards like 0.0.0.0 or ::",
                iae(() -> new PeerConfig("lb1", PeerRole.VOTER, new HostPort("0.0.0.0", 1), a)));
    }

    @Test
    void tlsConfigChecks() {
        assertEquals(
                "caCert must be an absolute path, got ca.pem",
                iae(() -> TlsConfig.mutual(Path.of("ca.pem"), Map.of())));
        TlsConfig t = TlsConfig.mutual(
                Path.of("/ca.pem"), Map.of("lb1", new TlsCredentials(Path.of("/c.pem"), Path.of("/k.pem"))));
        assertFalse(t.isPlaintext());
        assertTrue(t.credentials("lb2").isEmpty());
        assertTrue(TlsConfig.plaintext().caCert().isEmpty());
    }

    @Test
    void problemsPrintAsFileLineFieldMessage() {
        assertEquals("f.yaml:3: a.b: bad", new ConfigProblem("f.yaml", 3, "a.b", "bad").toString());
        assertEquals("f.yaml: cannot read", new ConfigProblem("f.yaml", 0, "", "cannot read").toString());
        assertEquals("a ConfigException needs at least one error", iae(() -> new ConfigException(List.of())));
    }
}
