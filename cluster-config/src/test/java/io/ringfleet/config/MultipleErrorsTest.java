package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every error of a file is reported at once, in line order, one per line of the exception's message. */
class MultipleErrorsTest {
    private static final String BAD = String.join(
            "\n",
            "fleet-id: edge fra", // 1
            "peers:", // 2
            "  - id: lb1", // 3
            "    raft-address: 10.0.0.1:9870", // 4
            "    api-address: 10.0.0.1:9871", // 5
            "    role: voter", // 6
            "  - id: lb2", // 7
            "    raft-address: 10.0.0.1:9870", // 8
            "    api-address: 10.0.0.2:9871", // 9
            "    role: leader", // 10
            "defaults:", // 11
            "  interface: eth0", // 12
            "  gateway-mac: \"01:1b:2c:3d:4e:5f\"", // 13
            "  forwarding-cpus: 0-3,3", // 14
            "  lru-sise: 4096", // 15
            "nodes:", // 16
            "  lb3:", // 17
            "    interface: eth1", // 18
            "tls:", // 19
            "  plaintext: true", // 20
            "  ca-cert: /etc/rf/ca.pem", // 21
            "limits:", // 22
            "  ring-size: 1000", // 23
            "  maglev: v3", // 24
            "");

    private static final List<String> EXPECTED = List.of(
            "fleet.yaml:1: fleet-id: \"edge fra\" is not allowed; use 1 to 63 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit",
            "fleet.yaml:8: peers[1].raft-address: 10.0.0.1:9870 is already used by peers[0].raft-address (line 4);"
                    + " every raft-address and api-address must be unique",
            "fleet.yaml:10: peers[1].role: \"leader\" is not allowed; use voter or listener",
            "fleet.yaml:13: defaults.gateway-mac: \"01:1b:2c:3d:4e:5f\" is not allowed (it is a multicast address);"
                    + " use the gateway's unicast MAC, e.g. \"0a:1b:2c:3d:4e:5f\"",
            "fleet.yaml:14: defaults.forwarding-cpus: \"0-3,3\" is not allowed (3 is listed twice); use CPU numbers"
                    + " and ranges like \"0-3,6\", each from 0 to 8191",
            "fleet.yaml:15: defaults.lru-sise: unknown field. Did you mean lru-size? Allowed here: interface, xdp-mode,"
                    + " attach-mode, root-array-pin, root-slot, gateway-mac, forwarding-cpus, numa-nodes, lru-size,"
                    + " bpffs, pin-dir, data-dir, route-hook, bird-socket, metrics-address, netns, healthcheck-source-v4,"
                    + " healthcheck-source-v6, conn-table, balancer",
            "fleet.yaml:17: nodes.lb3: no peer has id \"lb3\"; use one of lb1, lb2",
            "fleet.yaml:21: tls.ca-cert: not allowed with plaintext: true; remove it, or remove plaintext: true to"
                    + " use TLS",
            "fleet.yaml:23: limits.ring-size: 1000 is not allowed (the balancer is built with RF_RING_SIZE = 65537"
                    + " slots per ring; another size needs a rebuilt bpf module); use 65537, or leave ring-size out",
            "fleet.yaml:24: limits.maglev: \"v3\" is not allowed; use v1 or v2");

    @Test
    void allErrorsAreReportedTogetherInLineOrder() {
        assertEquals(EXPECTED, errors(BAD));
    }

    @Test
    void messageListsThemOnePerLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> FleetConfigLoader.parse(BAD, "fleet.yaml"));
        assertEquals(String.join("\n", EXPECTED), e.getMessage());
        assertEquals(10, e.errors().size());
        ConfigProblem first = e.errors().get(0);
        assertEquals("fleet.yaml", first.file());
        assertEquals(1, first.line());
        assertEquals("fleet-id", first.field());
    }
}
