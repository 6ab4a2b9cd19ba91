package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.THREE;
import static io.ringfleet.config.Fixtures.append;
import static io.ringfleet.config.Fixtures.assertError;
import static io.ringfleet.config.Fixtures.errors;
import static io.ringfleet.config.Fixtures.insert;
import static io.ringfleet.config.Fixtures.load;
import static io.ringfleet.config.Fixtures.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nodes that look like they share a machine (same raft host, loopback counting as one; or each in a network
 * namespace, which share the file system) must not collide on data dir, pin dir, ports or XDP attachment.
 */
class ColocationTest {
    /** Two voters on 127.0.0.1, distinct dirs and ports, sharing lo through xdp_root. */
    private static final String LOOPBACK = String.join(
            "\n",
            "fleet-id: f", // 1
            "peers:", // 2
            "  - {id: a, raft-address: '127.0.0.1:1', api-address: '127.0.0.1:2', role: voter}", // 3
            "  - {id: b, raft-address: 'localhost:3', api-address: '127.0.0.1:4', role: voter}", // 4
            "defaults:", // 5
            "  interface: lo", // 6
            "  gateway-mac: '02:00:00:00:00:01'", // 7
            "  attach-mode: shared", // 8
            "  root-array-pin: /sys/fs/bpf/root", // 9
            "  data-dir: /tmp/rf/{id}", // 10
            "  pin-dir: /sys/fs/bpf/rf-{id}", // 11
            "nodes:", // 12
            "  a: {root-slot: 0, metrics-address: '127.0.0.1:10'}", // 13
            "  b: {root-slot: 1, metrics-address: '127.0.0.1:11'}", // 14
            "tls: {plaintext: true}", // 15
            "");

    @Test
    void distinctLoopbackNodesLoad() {
        assertEquals(2, load(LOOPBACK).peers().size());
    }

    @Test
    void sharedDataDirOnOneHost() {
        assertError(
                replace(LOOPBACK, 10, "  data-dir: /tmp/rf"),
                "fleet.yaml:10: defaults.data-dir: node b would keep"
                        + " its Raft log in /tmp/rf like node a, and both run on loopback in the host's network namespace; give"
                        + " each node its own, e.g. /tmp/rf/{id}");
    }

    @Test
    void sharedBuiltInDataDirPointsAtTheNode() {
        assertError(
                replace(LOOPBACK, 10),
                "fleet.yaml:13: nodes.b: data-dir: node b would keep its Raft log in"
                        + " /var/lib/ringfleet like node a, and both run on loopback in the host's network namespace; give each"
                        + " node its own, e.g. /var/lib/ringfleet/{id}");
    }

    @Test
    void sharedPinDirOnOneHost() {
        assertError(
                replace(LOOPBACK, 11, "  pin-dir: /sys/fs/bpf/rf"),
                "fleet.yaml:11: defaults.pin-dir: node b"
                        + " would pin its maps in /sys/fs/bpf/rf like node a, and both run on loopback in the host's network"
                        + " namespace; give each node its own, e.g. /sys/fs/bpf/rf-{id}");
    }

    @Test
    void sharedMetricsPortOnOneHost() {
        assertError(
                replace(LOOPBACK, 14, "  b: {root-slot: 1, metrics-address: '0.0.0.0:10'}"),
                "fleet.yaml:14:"
                        + " nodes.b.metrics-address: node b would serve metrics at 0.0.0.0:10 like node a, and both run on"
                        + " loopback in the host's network namespace; give each node its own port");
    }

    @Test
    void metricsPortTakenByAnotherNodesRaftPort() {
        assertError(
                replace(LOOPBACK, 14, "  b: {root-slot: 1, metrics-address: '127.0.0.1:1'}"),
                "fleet.yaml:14:"
                        + " nodes.b.metrics-address: 127.0.0.1:1 is not allowed (node a on the same host uses that port for"
                        + " Raft or its API); use a free host:port");
    }

    @Test
    void sameRootSlotOnOneInterface() {
        assertError(
                replace(LOOPBACK, 14, "  b: {root-slot: 0, metrics-address: '127.0.0.1:11'}"),
                "fleet.yaml:14:"
                        + " nodes.b.root-slot: node b would take slot 0 of /sys/fs/bpf/root like node a, and both run on"
                        + " loopback in the host's network namespace; give each node its own root-slot");
    }

    @Test
    void twoStandaloneProgramsOnOneInterface() {
        String yaml = replace(
                replace(
                        replace(
                                replace(LOOPBACK, 14, "  b: {metrics-address: '127.0.0.1:11'}"),
                                13,
                                "  a: {metrics-address: '127.0.0.1:10'}"),
                        9),
                8);
        assertError(
                yaml,
                "fleet.yaml:6: defaults.interface: node b would attach XDP to lo like node a, and both run on"
                        + " loopback in the host's network namespace; an interface takes one XDP program, so use different"
                        + " interfaces, or attach-mode: shared with a different root-slot for each node");
    }

    @Test
    void nodesInNetworkNamespacesStillShareTheFileSystem() {
        String yaml = insert(
                replace(THREE, 17, "  gateway-mac: \"0a:1b:2c:3d:4e:5f\"", "  netns: ns-{id}"),
                17,
                "  data-dir: /var/lib/rf");
        assertEquals(
                List.of(
                        "fleet.yaml:7: peers[1]: pin-dir: node lb2 would pin its maps in /sys/fs/bpf/ringfleet like node lb1,"
                                + " and both run in network namespaces, which share one file system; give each node its own,"
                                + " e.g. /sys/fs/bpf/ringfleet-{id}",
                        "fleet.yaml:11: peers[2]: pin-dir: node lb3 would pin its maps in /sys/fs/bpf/ringfleet like node lb1,"
                                + " and both run in network namespaces, which share one file system; give each node its own,"
                                + " e.g. /sys/fs/bpf/ringfleet-{id}",
                        "fleet.yaml:18: defaults.data-dir: node lb2 would keep its Raft log in /var/lib/rf like node lb1, and"
                                + " both run in network namespaces, which share one file system; give each node its own, e.g."
                                + " /var/lib/rf/{id}",
                        "fleet.yaml:18: defaults.data-dir: node lb3 would keep its Raft log in /var/lib/rf like node lb1, and"
                                + " both run in network namespaces, which share one file system; give each node its own, e.g."
                                + " /var/lib/rf/{id}"),
                errors(yaml));
    }

    @Test
    void nodesOnDifferentHostsMayUseTheSamePaths() {
        FleetConfig c = load(THREE);
        assertEquals(c.node("lb1").dataDir(), c.node("lb2").dataDir());
        assertEquals(c.node("lb1").metricsAddress(), c.node("lb3").metricsAddress());
    }

    @Test
    void netnsNodesMayShareMetricsPortsButNotPaths() {
        String yaml = append(insert(
                THREE,
                17,
                "  netns: ns-{id}",
                "  data-dir: /var/lib/rf/{id}",
                "  pin-dir: /sys/fs/bpf/rf-{id}",
                "  metrics-address: 0.0.0.0:9180"));
        FleetConfig c = load(yaml);
        assertEquals("ns-lb2", c.node("lb2").netns().orElseThrow());
    }
}
