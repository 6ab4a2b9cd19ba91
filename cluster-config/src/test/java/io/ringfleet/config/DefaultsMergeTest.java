package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.THREE;
import static io.ringfleet.config.Fixtures.append;
import static io.ringfleet.config.Fixtures.load;
import static io.ringfleet.config.Fixtures.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's settings are its own section over defaults over the built-in defaults. */
class DefaultsMergeTest {
    private static final String FLEET = append(
            replace(
                    THREE,
                    17,
                    "  gateway-mac: \"0a:1b:2c:3d:4e:5f\"",
                    "  xdp-mode: generic",
                    "  forwarding-cpus: 0-3",
                    "  route-hook: /usr/lib/rf/announce",
                    "  bird-socket: /run/bird/{id}.ctl",
                    "  netns: ns-{id}",
                    "  data-dir: /var/lib/rf/{id}",
                    "  pin-dir: /sys/fs/bpf/rf-{id}"),
            "nodes:",
            "  lb2:",
            "    interface: eth7",
            "    forwarding-cpus: 4-7,9",
            "    lru-size: 4096",
            "  lb3:",
            "    netns:",
            "    route-hook: ~",
            "    bird-socket: ~",
            "    forwarding-cpus:",
            "    metrics-address: 0.0.0.0:9300");

    @Test
    void nodeWithoutOwnSectionGetsDefaultsThenBuiltIns() {
        NodeSettings n = load(FLEET).node("lb1");
        assertEquals("lb1", n.nodeId());
        assertEquals("eth0", n.interfaceName());
        assertEquals(XdpMode.GENERIC, n.xdpMode());
        assertEquals(List.of(0, 1, 2, 3), n.forwardingCpus().ids());
        assertEquals(Path.of("/usr/lib/rf/announce"), n.routeHook().orElseThrow());
        assertEquals(Path.of("/run/bird/lb1.ctl"), n.birdSocket().orElseThrow());
        // built-in defaults
        assertEquals(AttachMode.STANDALONE, n.attachMode());
        assertEquals(NodeSettings.DEFAULT_LRU_SIZE, n.lruSize());
        assertEquals(Path.of("/sys/fs/bpf"), n.bpffs());
        assertEquals(new HostPort("127.0.0.1", 9180), n.metricsAddress());
        assertEquals(IdList.EMPTY, n.numaNodes());
    }

    @Test
    void ownSectionOverridesFieldByField() {
        NodeSettings n = load(FLEET).node("lb2");
        assertEquals("eth7", n.interfaceName());
        assertEquals(List.of(4, 5, 6, 7, 9), n.forwardingCpus().ids());
        assertEquals(4096, n.lruSize());
        assertEquals(XdpMode.GENERIC, n.xdpMode(), "not overridden, so from defaults");
        assertEquals("0a:1b:2c:3d:4e:5f", n.gatewayMac().toString());
    }

    @Test
    void idTemplatesBecomeEachNodesId() {
        FleetConfig c = load(FLEET);
        assertEquals(Path.of("/var/lib/rf/lb1"), c.node("lb1").dataDir());
        assertEquals(Path.of("/var/lib/rf/lb2"), c.node("lb2").dataDir());
        assertEquals(Path.of("/sys/fs/bpf/rf-lb3"), c.node("lb3").pinDir());
        assertEquals("ns-lb2", c.node("lb2").netns().orElseThrow());
    }

    @Test
    void emptyValueInANodeClearsAnOptionalDefault() {
        NodeSettings n = load(FLEET).node("lb3");
        assertFalse(n.netns().isPresent());
        assertFalse(n.routeHook().isPresent());
        assertFalse(n.birdSocket().isPresent());
        assertEquals(IdList.EMPTY, n.forwardingCpus(), "cleared: every online CPU");
        assertEquals(new HostPort("0.0.0.0", 9300), n.metricsAddress());
    }

    @Test
    void nodesMapKeepsPeerOrder() {
        assertEquals(
                List.of("lb1", "lb2", "lb3"), List.copyOf(load(FLEET).nodes().keySet()));
    }

    @Test
    void selfBundlesWhatTheAgentNeeds() {
        FleetConfig c = load(FLEET);
        LocalNode self = c.self("lb2");
        assertEquals("lb2", self.id());
        assertEquals("f", self.fleetId());
        assertTrue(self.isVoter());
        assertEquals(c.node("lb2"), self.settings());
        assertEquals(
                List.of("lb1", "lb3"),
                self.otherPeers().stream().map(PeerConfig::id).toList());
        assertEquals(c.peers(), self.peers());
        assertEquals(c.limits(), self.limits());
        assertTrue(self.tls().isPlaintext());
    }

    @Test
    void unknownIdSaysWhichIdsThereAre() {
        FleetConfig c = load(FLEET);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.node("lb9"));
        assertEquals("no peer \"lb9\" in fleet f (fleet.yaml); use one of lb1, lb2, lb3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.self("lb9"));
        assertEquals("no peer \"lb9\" in fleet f (fleet.yaml); use one of lb1, lb2, lb3", e.getMessage());
    }

    @Test
    void sameFileGivesEqualSettings() {
        assertEquals(load(FLEET).nodes(), load(FLEET).nodes());
    }
}
