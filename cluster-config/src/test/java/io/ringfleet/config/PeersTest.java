package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.ONE;
import static io.ringfleet.config.Fixtures.THREE;
import static io.ringfleet.config.Fixtures.assertError;
import static io.ringfleet.config.Fixtures.errors;
import static io.ringfleet.config.Fixtures.insert;
import static io.ringfleet.config.Fixtures.load;
import static io.ringfleet.config.Fixtures.replace;
import static io.ringfleet.config.Fixtures.warnings;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The peers list: ids, addresses, roles. */
class PeersTest {
    private static final String ADDRESS = "use host:port, e.g. 10.0.0.1:9870 or [fd00::1]:9870";

    @Test
    void peersAreReadInFileOrder() {
        FleetConfig c = load(replace(THREE, 10, "    role: listener"));
        assertEquals(
                List.of("lb1", "lb2", "lb3"),
                c.peers().stream().map(PeerConfig::id).toList());
        assertEquals(
                List.of("lb1", "lb3"), c.voters().stream().map(PeerConfig::id).toList());
        assertEquals(List.of("lb2"), c.listeners().stream().map(PeerConfig::id).toList());
        PeerConfig lb1 = c.peer("lb1").orElseThrow();
        assertEquals(new HostPort("10.0.0.1", 9870), lb1.raftAddress());
        assertEquals(new HostPort("10.0.0.1", 9871), lb1.apiAddress());
        assertEquals(PeerRole.VOTER, lb1.role());
    }

    @Test
    void roleMustBeVoterOrListener() {
        assertError(
                replace(THREE, 14, "    role: leader"),
                "fleet.yaml:14: peers[2].role: \"leader\" is not allowed; use voter or listener");
    }

    @Test
    void everyPeerFieldIsRequired() {
        String yaml = replace(ONE, 3, "  - role: voter");
        yaml = replace(yaml, 6);
        assertEquals(
                List.of("fleet.yaml:3: peers[0]: id is missing; use 1 to 63 letters, digits, '.', '_' or '-', starting"
                        + " with a letter or digit"),
                errors(yaml));
        assertError(replace(ONE, 4), "fleet.yaml:3: peers[0]: raft-address is missing; " + ADDRESS);
        assertError(replace(ONE, 6), "fleet.yaml:3: peers[0]: role is missing; use voter or listener");
    }

    @Test
    void peersMustBeANonEmptyList() {
        String scalar = String.join("\n", "fleet-id: f", "peers: lb1", "tls: {plaintext: true}", "");
        assertError(
                scalar,
                "fleet.yaml:2: peers: \"lb1\" is not allowed; use a list of peers, each with id,"
                        + " raft-address, api-address and role");
        String empty = String.join("\n", "fleet-id: f", "peers: []", "tls: {plaintext: true}", "");
        assertError(empty, "fleet.yaml:2: peers: an empty list is not allowed; list at least one voter");
        String none = String.join("\n", "fleet-id: f", "tls: {plaintext: true}", "");
        assertError(
                none,
                "fleet.yaml:1: peers is missing; use a list of peers, each with id, raft-address,"
                        + " api-address and role");
    }

    @Test
    void idsAreUnique() {
        assertError(
                replace(THREE, 11, "  - id: lb1"),
                "fleet.yaml:11: peers[2].id: \"lb1\" is already the id of"
                        + " peers[0] (line 3); give every peer its own id");
    }

    @Test
    void idsAreShaped() {
        assertError(
                replace(ONE, 3, "  - id: lb 1"),
                "fleet.yaml:3: peers[0].id: \"lb 1\" is not allowed; use 1 to 63"
                        + " letters, digits, '.', '_' or '-', starting with a letter or digit");
        assertEquals(
                "lb-1.a_b",
                load(replace(ONE, 3, "  - id: lb-1.a_b")).peers().get(0).id());
        assertEquals("7", load(replace(ONE, 3, "  - id: 7")).peers().get(0).id());
    }

    @Test
    void atLeastOneVoter() {
        String yaml = replace(
                replace(replace(THREE, 6, "    role: listener"), 10, "    role: listener"), 14, "    role: listener");
        assertError(
                yaml,
                "fleet.yaml:2: peers: no peer has role voter; make at least one peer a voter (3 or 5"
                        + " voters survive node failures)");
    }

    @Test
    void addressesAreUniqueAcrossPeersAndKinds() {
        assertError(
                replace(THREE, 8, "    raft-address: 10.0.0.1:9871"),
                "fleet.yaml:8: peers[1].raft-address:"
                        + " 10.0.0.1:9871 is already used by peers[0].api-address (line 5); every raft-address and api-address"
                        + " must be unique");
        assertError(
                replace(ONE, 5, "    api-address: 10.0.0.1:9870"),
                "fleet.yaml:5: peers[0].api-address:"
                        + " 10.0.0.1:9870 is already used by peers[0].raft-address (line 4); every raft-address and"
                        + " api-address must be unique");
    }

    @Test
    void ipv6AddressesAreComparedInCanonicalForm() {
        String yaml = replace(
                replace(THREE, 4, "    raft-address: '[fd00:0::1]:9870'"), 8, "    raft-address: '[FD00::0:1]:9870'");
        assertError(
                yaml,
                "fleet.yaml:8: peers[1].raft-address: [fd00::1]:9870 is already used by"
                        + " peers[0].raft-address (line 4); every raft-address and api-address must be unique");
    }

    @Test
    void addressShapes() {
        assertError(
                replace(ONE, 4, "    raft-address: 10.0.0.1"),
                "fleet.yaml:4: peers[0].raft-address: \"10.0.0.1\" is not allowed (no port); " + ADDRESS);
        assertError(
                replace(ONE, 4, "    raft-address: 10.0.0.1:0"),
                "fleet.yaml:4: peers[0].raft-address:"
                        + " \"10.0.0.1:0\" is not allowed (port 0 is not from 1 to 65535); " + ADDRESS);
        assertError(
                replace(ONE, 4, "    raft-address: 10.0.0.256:1"),
                "fleet.yaml:4: peers[0].raft-address:"
                        + " \"10.0.0.256:1\" is not allowed (\"10.0.0.256\" is not an IPv4 address (four numbers 0-255 without"
                        + " leading zeros)); " + ADDRESS);
        assertError(
                replace(ONE, 4, "    raft-address: fd00::1:9870"),
                "fleet.yaml:4: peers[0].raft-address:"
                        + " \"fd00::1:9870\" is not allowed (an IPv6 address needs brackets: [address]:port); "
                        + ADDRESS);
        assertError(
                replace(ONE, 4, "    raft-address: bad_host:1"),
                "fleet.yaml:4: peers[0].raft-address:"
                        + " \"bad_host:1\" is not allowed (\"bad_host\" is not an IP address or a DNS name (labels of letters,"
                        + " digits and '-', at most 63 characters each)); " + ADDRESS);
        assertEquals(
                new HostPort("lb1.example.net", 9870),
                load(replace(ONE, 4, "    raft-address: LB1.example.net:9870"))
                        .peers()
                        .get(0)
                        .raftAddress());
    }

    @Test
    void peerAddressesCannotBeWildcards() {
        assertError(
                replace(ONE, 4, "    raft-address: 0.0.0.0:9870"),
                "fleet.yaml:4: peers[0].raft-address:"
                        + " \"0.0.0.0:9870\" is not allowed (other nodes cannot connect to a wildcard address); use the address"
                        + " other nodes reach this node at, host:port, e.g. 10.0.0.1:9870 or [fd00::1]:9870");
    }

    @Test
    void unknownPeerFieldSuggestsAndNodeSettingsSayWhereTheyGo() {
        assertEquals(
                List.of(
                        "fleet.yaml:4: peers[0].raft_address: unknown field. Did you mean raft-address? Allowed here: id,"
                                + " raft-address, api-address, role",
                        "fleet.yaml:5: peers[0].interface: unknown field. interface belongs in defaults or nodes.<id>, not in"
                                + " peers. Allowed here: id, raft-address, api-address, role"),
                errors(insert(ONE, 3, "    raft_address: 10.0.0.9:1", "    interface: eth0")));
    }

    @Test
    void peerItemMustBeAMapping() {
        assertError(
                replace(ONE, 3, "  - lb1", "  - id: lb1"),
                "fleet.yaml:3: peers[0]: \"lb1\" is not allowed;"
                        + " use a mapping of peer fields (id, raft-address, api-address, role)");
    }

    @Test
    void evenVoterCountIsAWarning() {
        FleetConfig two = load(replace(THREE, 14, "    role: listener"));
        assertEquals(
                List.of(
                        "fleet.yaml:2: peers: 2 voters survive only 0 failures, as 1 would; use an odd number"
                                + " of voters (3 or 5) and make the rest listeners",
                        "fleet.yaml:19: tls.plaintext: true: Raft and API"
                                + " traffic is neither encrypted nor authenticated; use this only on test networks"),
                warnings(two));
    }
}
