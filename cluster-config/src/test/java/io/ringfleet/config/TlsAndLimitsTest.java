package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.ONE;
import static io.ringfleet.config.Fixtures.THREE;
import static io.ringfleet.config.Fixtures.append;
import static io.ringfleet.config.Fixtures.assertError;
import static io.ringfleet.config.Fixtures.errors;
import static io.ringfleet.config.Fixtures.load;
import static io.ringfleet.config.Fixtures.replace;
import static io.ringfleet.config.Fixtures.warnings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.HashFunction;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tls and limits sections. */
class TlsAndLimitsTest {
    /** THREE with its tls section (lines 18-19) replaced. */
    private static String threeWithTls(String... lines) {
        return replace(replace(THREE, 19), 18, lines);
    }

    @Test
    void plaintextMustBeExplicitAndIsWarnedAbout() {
        FleetConfig c = load(ONE);
        assertTrue(c.tls().isPlaintext());
        assertEquals(
                List.of("fleet.yaml:11: tls.plaintext: true: Raft and API traffic is neither encrypted nor"
                        + " authenticated; use this only on test networks"),
                warnings(c));
        assertTrue(c.self("lb1").credentials().isEmpty());
    }

    @Test
    void tlsIsRequired() {
        assertError(
                replace(replace(ONE, 11), 10),
                "fleet.yaml:1: tls is missing; give tls.ca-cert, node-cert and"
                        + " node-key, or plaintext: true to run without TLS (test networks only)");
        assertError(
                replace(ONE, 11),
                "fleet.yaml:10: tls: is empty; give ca-cert, node-cert and node-key, or"
                        + " plaintext: true to run without TLS (test networks only)");
        assertEquals(
                List.of(
                        "fleet.yaml:10: tls: ca-cert is missing; use the CA certificate's path, an absolute path without '.'"
                                + " or '..' segments",
                        "fleet.yaml:10: tls: node-cert is missing; set tls.node-cert (or node-cert in every tls.nodes.<id>) to"
                                + " the PEM file's path, an absolute path without '.' or '..' segments ({id} becomes the node"
                                + " id)",
                        "fleet.yaml:10: tls: node-key is missing; set tls.node-key (or node-key in every tls.nodes.<id>) to"
                                + " the PEM file's path, an absolute path without '.' or '..' segments ({id} becomes the node"
                                + " id)"),
                errors(replace(ONE, 11, "  plaintext: false")));
    }

    @Test
    void plaintextIsABoolean() {
        assertError(
                replace(ONE, 11, "  plaintext: yes"),
                "fleet.yaml:11: tls.plaintext: yes is not allowed; use true" + " or false");
        assertError(
                replace(ONE, 11, "  plaintext: \"true\""),
                "fleet.yaml:11: tls.plaintext: \"true\" is not" + " allowed; use true or false");
    }

    @Test
    void plaintextDoesNotMixWithCertificates() {
        assertError(
                append(ONE, "  ca-cert: /etc/rf/ca.pem"),
                "fleet.yaml:12: tls.ca-cert: not allowed with"
                        + " plaintext: true; remove it, or remove plaintext: true to use TLS");
    }

    @Test
    void mutualTlsWithTemplatesAndOverrides() {
        FleetConfig c = load(threeWithTls(
                "tls:",
                "  ca-cert: /etc/rf/ca.pem",
                "  node-cert: /etc/rf/{id}.pem",
                "  node-key: /etc/rf/{id}.key",
                "  nodes:",
                "    lb2:",
                "      node-cert: /srv/lb2/cert.pem"));
        assertEquals(List.of(), warnings(c));
        assertEquals(Path.of("/etc/rf/ca.pem"), c.tls().caCert().orElseThrow());
        assertEquals(
                new TlsCredentials(Path.of("/etc/rf/lb1.pem"), Path.of("/etc/rf/lb1.key")),
                c.tls().credentials("lb1").orElseThrow());
        assertEquals(
                new TlsCredentials(Path.of("/srv/lb2/cert.pem"), Path.of("/etc/rf/lb2.key")),
                c.self("lb2").credentials().orElseThrow());
        assertEquals(Path.of("/etc/rf/ca.pem"), c.self("lb3").caCert().orElseThrow());
    }

    @Test
    void everyNodeNeedsCertAndKey() {
        assertError(
                threeWithTls("tls:", "  ca-cert: /etc/rf/ca.pem", "  node-key: /etc/rf/{id}.key"),
                "fleet.yaml:18: tls: node-cert is missing; set tls.node-cert (or node-cert in every tls.nodes.<id>) to"
                        + " the PEM file's path, an absolute path without '.' or '..' segments ({id} becomes the node"
                        + " id)");
        assertError(
                threeWithTls(
                        "tls:",
                        "  ca-cert: /etc/rf/ca.pem",
                        "  node-key: /etc/rf/{id}.key",
                        "  nodes:",
                        "    lb1: {node-cert: /a.pem}",
                        "    lb2: {node-cert: /b.pem}"),
                "fleet.yaml:11: peers[2]: node-cert is missing for node lb3; set tls.nodes.lb3.node-cert or"
                        + " tls.node-cert to the PEM file's path, an absolute path without '.' or '..' segments ({id}"
                        + " becomes the node id)");
    }

    @Test
    void certAndKeyAreDifferentFiles() {
        assertError(
                threeWithTls(
                        "tls:",
                        "  ca-cert: /etc/rf/ca.pem",
                        "  node-cert: /etc/rf/{id}.pem",
                        "  node-key: /etc/rf/{id}.key",
                        "  nodes:",
                        "    lb3: {node-key: /etc/rf/lb3.pem}"),
                "fleet.yaml:23: tls.nodes.lb3.node-key: is the same file as node-cert for node lb3; use a separate"
                        + " file for the private key");
    }

    @Test
    void tlsNodesKeysMustBePeerIdsAndFieldsKnown() {
        assertEquals(
                List.of(
                        "fleet.yaml:23: tls.nodes.lb4: no peer has id \"lb4\"; use one of lb1, lb2, lb3",
                        "fleet.yaml:24: tls.nodes.lb1.cert: unknown field. Allowed here: node-cert, node-key"),
                errors(threeWithTls(
                        "tls:",
                        "  ca-cert: /etc/rf/ca.pem",
                        "  node-cert: /c/{id}",
                        "  node-key: /k/{id}",
                        "  nodes:",
                        "    lb4: {}",
                        "    lb1: {cert: /x}")));
    }

    @Test
    void limitsDefaultToKatrans() {
        assertEquals(
                FleetLimits.builder()
                        .maxVips(512)
                        .maxReals(4096)
                        .ringSize(65537)
                        .defaultHashFunction(HashFunction.MAGLEV)
                        .build(),
                load(ONE).limits());
        assertEquals(FleetLimits.DEFAULT, load(ONE).limits());
    }

    @Test
    void limitsAreRead() {
        // ring-size: the datapath's is the only one allowed now (it was 13 here, which the balancer cannot take).
        FleetLimits l = load(append(
                        ONE, "limits:", "  max-vips: 64", "  max-reals: 1000", "  ring-size: 65537", "  maglev: v2"))
                .limits();
        assertEquals(
                FleetLimits.builder()
                        .maxVips(64)
                        .maxReals(1000)
                        .ringSize(65537)
                        .defaultHashFunction(HashFunction.MAGLEV_V2)
                        .build(),
                l);
    }

    @Test
    void limitRanges() {
        assertError(
                append(ONE, "limits:", "  max-vips: 0"),
                "fleet.yaml:13: limits.max-vips: 0 is not allowed; use an integer from 1 to 65536");
        assertError(
                append(ONE, "limits:", "  max-reals: 2000000"),
                "fleet.yaml:13: limits.max-reals: 2000000 is not allowed; use an integer from 2 to 65536");
        assertError(
                append(ONE, "limits:", "  max-reals: 1"),
                "fleet.yaml:13: limits.max-reals: 1 is not allowed; use an integer from 2 to 65536");
        assertError(
                append(ONE, "limits:", "  maglev: V2"),
                "fleet.yaml:13: limits.maglev: \"V2\" is not allowed; use v1 or v2");
    }

    @Test
    void ringSizeMustBeTheDatapaths() {
        // Until the datapath's ring size was one value, any prime loaded here and the agent refused it at start.
        String rule = "the balancer is built with RF_RING_SIZE = 65537 slots per ring; another size needs a rebuilt"
                + " bpf module); use 65537, or leave ring-size out";
        assertError(
                append(ONE, "limits:", "  ring-size: 65536"),
                "fleet.yaml:13: limits.ring-size: 65536 is not" + " allowed (" + rule);
        assertError(
                append(ONE, "limits:", "  ring-size: 65521"),
                "fleet.yaml:13: limits.ring-size: 65521 is not" + " allowed (" + rule);
        assertError(
                append(ONE, "limits:", "  ring-size: 2"), "fleet.yaml:13: limits.ring-size: 2 is not allowed (" + rule);
        assertError(
                append(ONE, "limits:", "  ring-size: big"),
                "fleet.yaml:13: limits.ring-size: \"big\" is not" + " allowed; use 65537, or leave ring-size out");
    }

    @Test
    void ringMapMustFitOneBpfArray() {
        assertError(
                append(ONE, "limits:", "  max-vips: 65536", "  ring-size: 65537"),
                "fleet.yaml:14: limits:"
                        + " max-vips x ring-size = 65536 x 65537 = 4295032832 ring slots is not allowed; the ring map holds at"
                        + " most 2147483647, so lower max-vips or ring-size");
    }

    @Test
    void unknownLimitSuggests() {
        assertError(
                append(ONE, "limits:", "  max_vips: 10"),
                "fleet.yaml:13: limits.max_vips: unknown field. Did you"
                        + " mean max-vips? Allowed here: max-vips, max-reals, ring-size, maglev");
    }
}
