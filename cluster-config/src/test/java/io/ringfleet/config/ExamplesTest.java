package io.ringfleet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.HashFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in cluster-config/examples/ loads; the three named ones say what they promise. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("examples");

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleLoads(Path file) throws ConfigException {
        FleetConfig c = FleetConfigLoader.load(file);
        assertFalse(c.voters().isEmpty());
        for (PeerConfig p : c.peers()) {
            assertEquals(p.id(), c.self(p.id()).settings().nodeId());
        }
    }

    @Test
    void theThreeExamplesExist() throws IOException {
        assertEquals(
                List.of("single-node.yaml", "three-node-loopback.yaml", "three-node-netns.yaml"),
                examples().stream().map(p -> p.getFileName().toString()).collect(Collectors.toList()));
    }

    @Test
    void singleNodeUsesTls() throws ConfigException {
        FleetConfig c = FleetConfigLoader.load(EXAMPLES.resolve("single-node.yaml"));
        assertEquals(1, c.peers().size());
        assertFalse(c.tls().isPlaintext());
        assertEquals(List.of(), c.warnings());
        assertEquals(
                Path.of("/etc/ringfleet/tls/lb1.pem"),
                c.self("lb1").credentials().orElseThrow().cert());
        assertEquals(List.of(0, 1, 2, 3), c.node("lb1").forwardingCpus().ids());
    }

    @Test
    void loopbackNodesShareLoThroughXdpRoot() throws ConfigException {
        FleetConfig c = FleetConfigLoader.load(EXAMPLES.resolve("three-node-loopback.yaml"));
        assertEquals(3, c.voters().size());
        for (PeerConfig p : c.peers()) {
            assertTrue(p.raftAddress().isLoopback());
            NodeSettings n = c.node(p.id());
            assertEquals("lo", n.interfaceName());
            assertEquals(AttachMode.SHARED, n.attachMode());
        }
        assertEquals(
                List.of(0, 1, 2),
                c.peers().stream()
                        .map(p -> c.node(p.id()).rootSlot().getAsInt())
                        .collect(Collectors.toList()));
        assertFalse(c.tls().isPlaintext(), "mutual TLS, certificates from scripts/fleet-loopback.sh");
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void netnsNodesEachHaveANamespace() throws ConfigException {
        FleetConfig c = FleetConfigLoader.load(EXAMPLES.resolve("three-node-netns.yaml"));
        assertEquals(
                List.of("rf-lb1", "rf-lb2", "rf-lb3"),
                c.peers().stream()
                        .map(p -> c.node(p.id()).netns().orElseThrow())
                        .collect(Collectors.toList()));
        for (PeerConfig p : c.peers()) {
            assertTrue(p.raftAddress().host().startsWith("10.77.0."));
        }
        assertEquals(List.of(1), c.node("lb3").forwardingCpus().ids());
        assertEquals(HashFunction.MAGLEV_V2, c.limits().defaultHashFunction());
        for (PeerConfig p : c.peers()) {
            assertEquals(
                    p.raftAddress().host(),
                    c.node(p.id()).healthCheckSourceV4().orElseThrow().getHostAddress());
        }
    }
}
