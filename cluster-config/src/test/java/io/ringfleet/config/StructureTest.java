package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.ONE;
import static io.ringfleet.config.Fixtures.assertError;
import static io.ringfleet.config.Fixtures.errors;
import static io.ringfleet.config.Fixtures.insert;
import static io.ringfleet.config.Fixtures.load;
import static io.ringfleet.config.Fixtures.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file as a whole: YAML syntax, document shape, unknown and duplicate keys, reading from disk. */
class StructureTest {
    @Test
    void minimalConfigLoads() {
        FleetConfig c = load(ONE);
        assertEquals("f", c.fleetId());
        assertEquals("fleet.yaml", c.source());
        assertEquals(1, c.peers().size());
    }

    @Test
    void emptyFileSaysWhatItNeeds() {
        assertError(
                "", "fleet.yaml:1: the file is empty; it needs fleet-id, peers and tls (see cluster-config/README.md)");
        assertError(
                "# only a comment\n",
                "fleet.yaml:1: the file is empty; it needs fleet-id, peers and tls (see cluster-config/README.md)");
    }

    @Test
    void topLevelMustBeAMapping() {
        assertError(
                "\n- a\n- b\n",
                "fleet.yaml:2: a list is not allowed at the top level; use a mapping with"
                        + " fleet-id, peers and tls (see cluster-config/README.md)");
        assertError(
                "hello\n",
                "fleet.yaml:1: \"hello\" is not allowed at the top level; use a mapping with"
                        + " fleet-id, peers and tls (see cluster-config/README.md)");
    }

    @Test
    void syntaxErrorNamesItsLine() {
        String yaml = replace(ONE, 5, "    api-address: 10.0.0.1:9871", "     bad: indentation: here");
        assertError(yaml, "fleet.yaml:6: not valid YAML: mapping values are not allowed here");
    }

    @Test
    void tabIndentationIsASyntaxError() {
        List<String> errors = errors(replace(ONE, 8, "\tinterface: eth0"));
        assertEquals(1, errors.size());
        assertTrue(
                errors.get(0)
                        .startsWith("fleet.yaml:8: not valid YAML: found character '\\t(TAB)' that cannot"
                                + " start any token"),
                errors.get(0));
    }

    @Test
    void unclosedFlowListReportsWhereTheFileEnds() {
        List<String> errors = errors("fleet-id: f\npeers: [a,\n");
        assertEquals(
                List.of("fleet.yaml:3: not valid YAML: expected the node content, but found '<stream end>'"
                        + " (while parsing a flow node)"),
                errors);
    }

    @Test
    void secondDocumentIsRefused() {
        assertError(
                ONE + "---\nfleet-id: g\n",
                "fleet.yaml:13: a second YAML document starts here; a fleet config is exactly one document");
    }

    @Test
    void unknownTopLevelFieldSuggestsTheCloseOne() {
        assertError(
                insert(ONE, 1, "fleet_name: x"),
                "fleet.yaml:2: fleet_name: unknown field. Allowed here: version,"
                        + " fleet-id, peers, defaults, nodes, tls, limits, raft");
        assertError(
                insert(ONE, 1, "limit: {}"),
                "fleet.yaml:2: limit: unknown field. Did you mean limits?"
                        + " Allowed here: version, fleet-id, peers, defaults, nodes, tls, limits, raft");
        assertEquals(
                List.of(
                        "fleet.yaml:1: fleetId: unknown field. Did you mean fleet-id?"
                                + " Allowed here: version, fleet-id, peers, defaults, nodes, tls, limits, raft",
                        "fleet.yaml:1: fleet-id is missing; use 1 to 63 letters, digits, '.', '_' or '-', starting with a"
                                + " letter or digit"),
                errors(replace(ONE, 1, "fleetId: f")));
    }

    @Test
    void nodeSettingAtTopLevelSaysWhereItBelongs() {
        assertError(
                insert(ONE, 1, "interface: eth1"),
                "fleet.yaml:2: interface: unknown field. interface belongs"
                        + " in defaults or nodes.<id>. Allowed here: version, fleet-id, peers, defaults, nodes, tls, limits, raft");
    }

    @Test
    void duplicateKeyNamesBothLines() {
        assertError(
                insert(ONE, 8, "  interface: eth1"),
                "fleet.yaml:9: defaults.interface: duplicate key; it is already set on line 8. Give each key once");
    }

    @Test
    void duplicateKeyDoesNotHideOtherErrors() {
        String yaml = insert(replace(ONE, 6, "    role: leader"), 8, "  interface: eth1");
        assertEquals(
                List.of(
                        "fleet.yaml:6: peers[0].role: \"leader\" is not allowed; use voter or listener",
                        "fleet.yaml:9: defaults.interface: duplicate key; it is already set on line 8. Give each key once"),
                errors(yaml));
    }

    @Test
    void aliasesAreRefused() {
        String yaml = replace(ONE, 8, "  interface: &nic eth0", "  netns: *nic");
        assertError(
                yaml,
                "fleet.yaml:9: defaults.netns: the YAML alias *nic is not allowed; write the value out"
                        + " (anchors and aliases are not supported)");
    }

    @Test
    void versionOneIsTheOnlyVersion() {
        assertEquals("f", load(insert(ONE, 0, "version: 1")).fleetId());
        assertError(
                insert(ONE, 0, "version: 2"),
                "fleet.yaml:1: version: 2 is not allowed; use 1 (the only format"
                        + " version this loader reads), or leave version out");
    }

    @Test
    void fleetIdIsRequiredAndShaped() {
        assertError(
                replace(ONE, 1),
                "fleet.yaml:1: fleet-id is missing; use 1 to 63 letters, digits, '.', '_' or"
                        + " '-', starting with a letter or digit");
        assertError(
                replace(ONE, 1, "fleet-id: -f"),
                "fleet.yaml:1: fleet-id: \"-f\" is not allowed; use 1 to 63"
                        + " letters, digits, '.', '_' or '-', starting with a letter or digit");
        assertError(
                replace(ONE, 1, "fleet-id:"),
                "fleet.yaml:1: fleet-id: has no value; use 1 to 63"
                        + " letters, digits, '.', '_' or '-', starting with a letter or digit");
        assertError(
                replace(ONE, 1, "fleet-id: ''"),
                "fleet.yaml:1: fleet-id: \"\" is not allowed; use 1 to 63"
                        + " letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    @Test
    void flowStyleAndCommentsKeepLineNumbers() {
        String yaml = String.join(
                "\n",
                "# fleet", // 1
                "fleet-id: f", // 2
                "peers: [{id: lb1, raft-address: '10.0.0.1:1', api-address: '10.0.0.1:2', role: voter},", // 3
                "        {id: lb2, raft-address: '10.0.0.2:1', api-address: '10.0.0.2:2', role: boss}]", // 4
                "defaults: {interface: eth0, gateway-mac: '0a:1b:2c:3d:4e:5f'}", // 5
                "tls: {plaintext: true}", // 6
                "");
        assertError(yaml, "fleet.yaml:4: peers[1].role: \"boss\" is not allowed; use voter or listener");
    }

    @Test
    void blockScalarsKeepLineNumbers() {
        String yaml = insert(ONE, 1, "# comment", "", "# another");
        yaml = replace(yaml, 11, "  interface: |", "    eth0", "    eth1");
        assertError(
                yaml,
                "fleet.yaml:11: defaults.interface: \"eth0\\neth1\\n\" is not allowed (it contains the"
                        + " control character U+000A); use a Linux interface name: 1 to 15 characters, no '/', ':' or"
                        + " whitespace");
    }

    @Test
    void windowsLineEndingsKeepLineNumbers() {
        String yaml = replace(ONE, 6, "    role: chief").replace("\n", "\r\n");
        assertError(yaml, "fleet.yaml:6: peers[0].role: \"chief\" is not allowed; use voter or listener");
    }

    @Test
    void loadNamesTheFileAsGiven(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("fleet.yaml");
        Files.writeString(file, replace(ONE, 6, "    role: leader"));
        ConfigException e = assertThrows(ConfigException.class, () -> FleetConfigLoader.load(file));
        assertEquals(file + ":6: peers[0].role: \"leader\" is not allowed; use voter or listener", e.getMessage());
    }

    @Test
    void loadReportsAMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> FleetConfigLoader.load(file));
        assertEquals(file + ": cannot read the file: it does not exist", e.getMessage());
    }

    @Test
    void loadRefusesNonUtf8(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "fleet-id: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        ConfigException e = assertThrows(ConfigException.class, () -> FleetConfigLoader.load(file));
        assertEquals(file + ": cannot read the file: it is not UTF-8 text", e.getMessage());
    }

    @Test
    void deepNestingIsRefusedWithoutExhaustingTheStack() {
        String deep = "x: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        assertError(deep, "fleet.yaml:1: nesting is deeper than 64 levels; a fleet config needs only a few");
    }

    @Test
    void wrongShapeSectionIsReportedWithoutFollowOnErrors() {
        assertError(
                replace(replace(replace(ONE, 9), 8), 7, "defaults: [eth0]"),
                "fleet.yaml:7: defaults: a list is"
                        + " not allowed; use a mapping of node settings (interface, xdp-mode, attach-mode, root-array-pin,"
                        + " root-slot, gateway-mac, forwarding-cpus, numa-nodes, lru-size, bpffs, pin-dir, data-dir,"
                        + " route-hook, bird-socket, metrics-address, netns, healthcheck-source-v4, healthcheck-source-v6, conn-table, balancer)");
        assertError(
                replace(replace(ONE, 11), 10, "tls: true"),
                "fleet.yaml:10: tls: true is not allowed; use a"
                        + " mapping of TLS settings (ca-cert, node-cert and node-key, or plaintext: true to run without TLS"
                        + " (test networks only))");
    }
}
