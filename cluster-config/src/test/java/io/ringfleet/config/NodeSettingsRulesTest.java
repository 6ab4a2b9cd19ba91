package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.ONE;
import static io.ringfleet.config.Fixtures.THREE;
import static io.ringfleet.config.Fixtures.append;
import static io.ringfleet.config.Fixtures.assertError;
import static io.ringfleet.config.Fixtures.errors;
import static io.ringfleet.config.Fixtures.insert;
import static io.ringfleet.config.Fixtures.load;
import static io.ringfleet.config.Fixtures.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every rule of the per-node settings, each with its exact message and line. ONE's defaults are lines 7-9. */
class NodeSettingsRulesTest {
    private static final String IFACE = "use a Linux interface name: 1 to 15 characters, no '/', ':' or whitespace";
    private static final String MAC = "use the gateway's unicast MAC, e.g. \"0a:1b:2c:3d:4e:5f\"";
    private static final String CPUS = "use CPU numbers and ranges like \"0-3,6\", each from 0 to 8191";
    private static final String PATH = "use an absolute path without '.' or '..' segments";

    /** ONE with extra defaults lines after line 9. */
    private static String withDefaults(String... lines) {
        return insert(ONE, 9, lines);
    }

    @Test
    void interfaceNameRules() {
        assertError(
                replace(ONE, 8, "  interface: averyveryverylongname"),
                "fleet.yaml:8: defaults.interface:"
                        + " \"averyveryverylongname\" is not allowed (it is 21 characters long; Linux allows at most 15); "
                        + IFACE);
        assertError(
                replace(ONE, 8, "  interface: eth0/1"),
                "fleet.yaml:8: defaults.interface: \"eth0/1\" is not allowed (it contains '/'); " + IFACE);
        assertError(
                replace(ONE, 8, "  interface: 'eth 0'"),
                "fleet.yaml:8: defaults.interface: \"eth 0\" is not allowed (it contains a space); " + IFACE);
        assertError(
                replace(ONE, 8, "  interface: [eth0]"),
                "fleet.yaml:8: defaults.interface: a list is not allowed; " + IFACE);
    }

    @Test
    void interfaceIsRequired() {
        assertError(
                replace(ONE, 8),
                "fleet.yaml:7: defaults: interface is missing; set defaults.interface (or"
                        + " interface in every nodes.<id>) to a Linux interface name: 1 to 15 characters, no '/', ':' or"
                        + " whitespace");
        String noDefaults = replace(replace(replace(ONE, 9), 8), 7);
        assertEquals(
                List.of(
                        "fleet.yaml:1: interface is missing; set defaults.interface (or interface in every"
                                + " nodes.<id>) to a Linux interface name: 1 to 15 characters, no '/', ':' or whitespace",
                        "fleet.yaml:1: gateway-mac is missing; set defaults.gateway-mac (or gateway-mac in every nodes.<id>)"
                                + " to the gateway's unicast MAC, e.g. \"0a:1b:2c:3d:4e:5f\""),
                errors(noDefaults));
    }

    @Test
    void settingMissingForEveryNodeIsOneError() {
        assertError(
                replace(THREE, 16),
                "fleet.yaml:15: defaults: interface is missing; set defaults.interface (or"
                        + " interface in every nodes.<id>) to a Linux interface name: 1 to 15 characters, no '/', ':' or"
                        + " whitespace");
    }

    @Test
    void settingMissingForSomeNodesNamesEach() {
        String yaml = append(replace(THREE, 16), "nodes:", "  lb1:", "    interface: eth1");
        assertEquals(
                List.of(
                        "fleet.yaml:7: peers[1]: interface is missing for node lb2; set nodes.lb2.interface or"
                                + " defaults.interface to a Linux interface name: 1 to 15 characters, no '/', ':' or whitespace",
                        "fleet.yaml:11: peers[2]: interface is missing for node lb3; set nodes.lb3.interface or"
                                + " defaults.interface to a Linux interface name: 1 to 15 characters, no '/', ':' or whitespace"),
                errors(yaml));
    }

    @Test
    void missingSettingPointsAtTheNodesOwnSectionWhenThereIsOne() {
        String yaml = append(
                replace(THREE, 16),
                "nodes:",
                "  lb1:",
                "    interface: eth1",
                "  lb2:",
                "    lru-size: 4096",
                "  lb3:",
                "    interface: eth1");
        assertError(
                yaml,
                "fleet.yaml:22: nodes.lb2: interface is missing for node lb2; set nodes.lb2.interface or"
                        + " defaults.interface to a Linux interface name: 1 to 15 characters, no '/', ':' or whitespace");
    }

    @Test
    void xdpModeIsDriverOrGeneric() {
        assertError(
                withDefaults("  xdp-mode: native"),
                "fleet.yaml:10: defaults.xdp-mode: \"native\" is not allowed; use driver or generic");
        assertEquals(
                XdpMode.GENERIC,
                load(withDefaults("  xdp-mode: generic")).node("lb1").xdpMode());
    }

    @Test
    void connTableIsPerCpuOrShared() {
        assertError(
                withDefaults("  conn-table: global"),
                "fleet.yaml:10: defaults.conn-table: \"global\" is not allowed; use per-cpu or shared");
        assertEquals(ConnTable.PER_CPU, load(ONE).node("lb1").connTable());
        assertEquals(
                ConnTable.SHARED,
                load(withDefaults("  conn-table: shared")).node("lb1").connTable());
    }

    @Test
    void balancerIsPlainOrSecondChanceWithASource() {
        assertError(
                withDefaults("  balancer: glb"),
                "fleet.yaml:10: defaults.balancer: \"glb\" is not allowed; use plain or second-chance");
        assertEquals(BalancerBuild.PLAIN, load(ONE).node("lb1").balancer());
        assertError(
                withDefaults("  balancer: second-chance"),
                "fleet.yaml:10: defaults.balancer: second-chance needs healthcheck-source-v4 or healthcheck-source-v6"
                        + " for node lb1 (the LB's own address: the outer source of its second-chance frames); set"
                        + " one, or use balancer: plain");
        assertEquals(
                BalancerBuild.SECOND_CHANCE,
                load(withDefaults("  balancer: second-chance", "  healthcheck-source-v4: 10.0.0.1"))
                        .node("lb1")
                        .balancer());
    }

    @Test
    void attachModeIsStandaloneOrShared() {
        assertError(
                withDefaults("  attach-mode: multi"),
                "fleet.yaml:10: defaults.attach-mode: \"multi\" is not allowed; use standalone or shared");
    }

    @Test
    void sharedNeedsRootArrayPinAndSlot() {
        assertEquals(
                List.of(
                        "fleet.yaml:10: defaults.attach-mode: shared needs root-array-pin for node lb1; set"
                                + " defaults.root-array-pin or nodes.lb1.root-array-pin to the pin path of xdp_root's program"
                                + " array",
                        "fleet.yaml:10: defaults.attach-mode: shared needs root-slot for node lb1; set defaults.root-slot or"
                                + " nodes.lb1.root-slot to a slot from 0 to 3"),
                errors(withDefaults("  attach-mode: shared")));
        NodeSettings n = load(withDefaults(
                        "  attach-mode: shared", "  root-array-pin: /sys/fs/bpf/xdp_root/root_array", "  root-slot: 2"))
                .node("lb1");
        assertEquals(AttachMode.SHARED, n.attachMode());
        assertEquals(
                Path.of("/sys/fs/bpf/xdp_root/root_array"), n.rootArrayPin().orElseThrow());
        assertEquals(2, n.rootSlot().getAsInt());
    }

    @Test
    void rootSlotRange() {
        assertError(
                withDefaults(
                        "  attach-mode: shared", "  root-array-pin: /sys/fs/bpf/xdp_root/root_array", "  root-slot: 4"),
                "fleet.yaml:12: defaults.root-slot: 4 is not allowed; use an integer from 0 to 3");
    }

    @Test
    void rootArrayPinMustBeUnderBpffs() {
        assertError(
                withDefaults("  attach-mode: shared", "  root-array-pin: /run/xdp_root", "  root-slot: 0"),
                "fleet.yaml:11: defaults.root-array-pin: \"/run/xdp_root\" is not allowed (it is not under the bpffs"
                        + " mount /sys/fs/bpf); use a pin path under the bpffs mount /sys/fs/bpf, or set bpffs to the"
                        + " mount it is under");
    }

    @Test
    void rootSettingsOnAStandaloneNodeAreRefused() {
        String yaml = append(ONE, "nodes:", "  lb1:", "    root-slot: 1");
        assertError(
                yaml,
                "fleet.yaml:14: nodes.lb1.root-slot: only allowed with attach-mode: shared; node lb1 is"
                        + " standalone. Remove it, or set attach-mode: shared");
    }

    @Test
    void rootDefaultsThatNoNodeUsesAreRefused() {
        assertError(
                withDefaults("  root-slot: 1"),
                "fleet.yaml:10: defaults.root-slot: only used with attach-mode:"
                        + " shared, and no node is shared; remove it, or set attach-mode: shared");
    }

    @Test
    void rootDefaultsUsedBySharedNodesAreFine() {
        String yaml = append(
                replace(
                        THREE,
                        17,
                        "  gateway-mac: \"0a:1b:2c:3d:4e:5f\"",
                        "  root-slot: 1",
                        "  root-array-pin: /sys/fs/bpf/root"),
                "nodes:",
                "  lb2:",
                "    attach-mode: shared");
        FleetConfig c = load(yaml);
        assertEquals(AttachMode.STANDALONE, c.node("lb1").attachMode());
        assertEquals(1, c.node("lb2").rootSlot().getAsInt());
        assertEquals(false, c.node("lb1").rootSlot().isPresent());
    }

    @Test
    void gatewayMacRules() {
        assertError(
                replace(ONE, 9, "  gateway-mac: 0a:1b:2c:3d:4e"),
                "fleet.yaml:9: defaults.gateway-mac:"
                        + " \"0a:1b:2c:3d:4e\" is not allowed (a MAC address has six colon-separated hex pairs, got"
                        + " \"0a:1b:2c:3d:4e\"); " + MAC);
        assertError(
                replace(ONE, 9, "  gateway-mac: 0a:1b:2c:3d:4e:zz"),
                "fleet.yaml:9: defaults.gateway-mac:"
                        + " \"0a:1b:2c:3d:4e:zz\" is not allowed (\"zz\" is not a hex pair (00 to ff)); " + MAC);
        assertError(
                replace(ONE, 9, "  gateway-mac: ff:ff:ff:ff:ff:ff"),
                "fleet.yaml:9: defaults.gateway-mac:"
                        + " \"ff:ff:ff:ff:ff:ff\" is not allowed (it is a multicast address); " + MAC);
        assertError(
                replace(ONE, 9, "  gateway-mac: 00:00:00:00:00:00"),
                "fleet.yaml:9: defaults.gateway-mac:" + " \"00:00:00:00:00:00\" is not allowed (it is all zeros); "
                        + MAC);
    }

    @Test
    void unquotedAllDigitMacIsStillAMac() {
        // YAML 1.1 would read 10:20:30:40:50:50 as a base-60 integer; this parser keeps it a string.
        assertEquals(
                "10:20:30:40:50:50",
                load(replace(ONE, 9, "  gateway-mac: 10:20:30:40:50:50"))
                        .node("lb1")
                        .gatewayMac()
                        .toString());
        assertEquals(
                "0a:1b:2c:3d:4e:5f",
                load(replace(ONE, 9, "  gateway-mac: 0A:1B:2C:3D:4E:5F"))
                        .node("lb1")
                        .gatewayMac()
                        .toString());
    }

    @Test
    void gatewayMacIsRequired() {
        assertError(
                replace(ONE, 9),
                "fleet.yaml:7: defaults: gateway-mac is missing; set defaults.gateway-mac (or"
                        + " gateway-mac in every nodes.<id>) to the gateway's unicast MAC, e.g. \"0a:1b:2c:3d:4e:5f\"");
    }

    @Test
    void forwardingCpuRules() {
        assertError(
                withDefaults("  forwarding-cpus: 0-3,x"),
                "fleet.yaml:10: defaults.forwarding-cpus: \"0-3,x\" is" + " not allowed (\"x\" is not a number); "
                        + CPUS);
        assertError(
                withDefaults("  forwarding-cpus: 3-1"),
                "fleet.yaml:10: defaults.forwarding-cpus: \"3-1\" is not"
                        + " allowed (range \"3-1\" runs backwards; write it 1-3); " + CPUS);
        assertError(
                withDefaults("  forwarding-cpus: 0-3,2"),
                "fleet.yaml:10: defaults.forwarding-cpus: \"0-3,2\" is" + " not allowed (2 is listed twice); " + CPUS);
        assertError(
                withDefaults("  forwarding-cpus: 9000"),
                "fleet.yaml:10: defaults.forwarding-cpus: 9000 is not"
                        + " allowed (9000 is out of range; use 0 to 8191); " + CPUS);
        assertError(
                withDefaults("  forwarding-cpus: [0, x]"),
                "fleet.yaml:10: defaults.forwarding-cpus: the list is" + " not allowed (\"x\" is not a number); "
                        + CPUS);
        assertError(
                withDefaults("  forwarding-cpus: ''"),
                "fleet.yaml:10: defaults.forwarding-cpus: \"\" is not" + " allowed (the list is empty); " + CPUS);
    }

    @Test
    void forwardingCpusAcceptStringIntegerAndList() {
        assertEquals(
                List.of(0, 1, 2, 3, 6),
                load(withDefaults("  forwarding-cpus: \"0-3,6\""))
                        .node("lb1")
                        .forwardingCpus()
                        .ids());
        assertEquals(
                List.of(5),
                load(withDefaults("  forwarding-cpus: 5"))
                        .node("lb1")
                        .forwardingCpus()
                        .ids());
        assertEquals(
                List.of(0, 1, 4, 5, 6),
                load(withDefaults("  forwarding-cpus: [0, 1, \"4-6\"]"))
                        .node("lb1")
                        .forwardingCpus()
                        .ids());
        assertEquals(IdList.EMPTY, load(ONE).node("lb1").forwardingCpus());
    }

    @Test
    void numaNodeRange() {
        assertError(
                withDefaults("  numa-nodes: 0,1024"),
                "fleet.yaml:10: defaults.numa-nodes: \"0,1024\" is not"
                        + " allowed (1024 is out of range; use 0 to 1023); use NUMA node numbers and ranges like \"0-3,6\","
                        + " each from 0 to 1023");
        assertEquals(
                List.of(0, 1),
                load(withDefaults("  numa-nodes: 0-1")).node("lb1").numaNodes().ids());
    }

    @Test
    void lruSizeRules() {
        assertError(
                withDefaults("  lru-size: 100"),
                "fleet.yaml:10: defaults.lru-size: 100 is not allowed; use an integer from 1024 to 67108864");
        assertError(
                withDefaults("  lru-size: \"100000\""),
                "fleet.yaml:10: defaults.lru-size: \"100000\" is not allowed; use an integer from 1024 to 67108864");
        assertError(
                withDefaults("  lru-size: 0x10000"),
                "fleet.yaml:10: defaults.lru-size: 0x10000 is not allowed"
                        + " (write it in decimal without leading zeros); use an integer from 1024 to 67108864");
        assertError(
                withDefaults("  lru-size: 010000"),
                "fleet.yaml:10: defaults.lru-size: 010000 is not allowed"
                        + " (write it in decimal without leading zeros); use an integer from 1024 to 67108864");
        assertError(
                withDefaults("  lru-size: 1.5e6"),
                "fleet.yaml:10: defaults.lru-size: 1.5e6 is not allowed; use an integer from 1024 to 67108864");
        assertEquals(
                2_000_000,
                load(withDefaults("  lru-size: 2_000_000")).node("lb1").lruSize());
    }

    @Test
    void pinDirMustBeUnderTheBpffsMount() {
        assertError(
                withDefaults("  pin-dir: /var/run/ringfleet"),
                "fleet.yaml:10: defaults.pin-dir:"
                        + " \"/var/run/ringfleet\" is not allowed (it is not under the bpffs mount /sys/fs/bpf); use a"
                        + " directory under the bpffs mount /sys/fs/bpf, e.g. /sys/fs/bpf/ringfleet, or set bpffs to the mount"
                        + " it is under");
        assertError(
                withDefaults("  pin-dir: /sys/fs/bpf"),
                "fleet.yaml:10: defaults.pin-dir: \"/sys/fs/bpf\" is not"
                        + " allowed (it is the bpffs mount itself); use a directory under the bpffs mount /sys/fs/bpf, e.g."
                        + " /sys/fs/bpf/ringfleet, or set bpffs to the mount it is under");
        assertError(
                withDefaults("  pin-dir: /sys/fs/bpfx/rf"),
                "fleet.yaml:10: defaults.pin-dir: \"/sys/fs/bpfx/rf\""
                        + " is not allowed (it is not under the bpffs mount /sys/fs/bpf); use a directory under the bpffs mount"
                        + " /sys/fs/bpf, e.g. /sys/fs/bpf/ringfleet, or set bpffs to the mount it is under");
    }

    @Test
    void anotherBpffsMountMovesTheDefaultPinDir() {
        NodeSettings n = load(withDefaults("  bpffs: /run/rf-bpffs")).node("lb1");
        assertEquals(Path.of("/run/rf-bpffs"), n.bpffs());
        assertEquals(Path.of("/run/rf-bpffs/ringfleet"), n.pinDir());
        assertError(
                withDefaults("  bpffs: /run/rf-bpffs", "  pin-dir: /sys/fs/bpf/rf"),
                "fleet.yaml:11:"
                        + " defaults.pin-dir: \"/sys/fs/bpf/rf\" is not allowed (it is not under the bpffs mount /run/rf-bpffs);"
                        + " use a directory under the bpffs mount /run/rf-bpffs, e.g. /run/rf-bpffs/ringfleet, or set bpffs to"
                        + " the mount it is under");
    }

    @Test
    void pathsAreAbsoluteAndPlain() {
        assertError(
                withDefaults("  data-dir: var/lib/rf"),
                "fleet.yaml:10: defaults.data-dir: \"var/lib/rf\" is not allowed (it is not absolute); " + PATH);
        assertError(
                withDefaults("  data-dir: /var/lib/../rf"),
                "fleet.yaml:10: defaults.data-dir: \"/var/lib/../rf\" is not allowed (it has a '..' segment); " + PATH);
        assertError(
                withDefaults("  route-hook: announce.sh"),
                "fleet.yaml:10: defaults.route-hook: \"announce.sh\" is not allowed (it is not absolute); " + PATH);
        assertError(
                withDefaults("  bird-socket: run/bird/bird.ctl"),
                "fleet.yaml:10: defaults.bird-socket: \"run/bird/bird.ctl\" is not allowed (it is not absolute); "
                        + PATH);
        assertError(
                withDefaults("  bpffs: sys/fs/bpf"),
                "fleet.yaml:10: defaults.bpffs: \"sys/fs/bpf\" is not allowed (it is not absolute); " + PATH);
    }

    @Test
    void metricsAddressRules() {
        assertError(
                withDefaults("  metrics-address: localhost"),
                "fleet.yaml:10: defaults.metrics-address:"
                        + " \"localhost\" is not allowed (no port); use host:port, e.g. 10.0.0.1:9870 or [fd00::1]:9870");
        assertError(
                withDefaults("  metrics-address: 10.0.0.1:9870"),
                "fleet.yaml:10: defaults.metrics-address:"
                        + " 10.0.0.1:9870 is not allowed (node lb1 uses it as its raft-address); use a free host:port");
        assertError(
                withDefaults("  metrics-address: 0.0.0.0:9871"),
                "fleet.yaml:10: defaults.metrics-address:"
                        + " 0.0.0.0:9871 is not allowed (node lb1 uses it as its api-address); use a free host:port");
        assertEquals(
                new HostPort("0.0.0.0", 9100),
                load(withDefaults("  metrics-address: 0.0.0.0:9100"))
                        .node("lb1")
                        .metricsAddress());
    }

    @Test
    void netnsRules() {
        assertError(
                withDefaults("  netns: 'a b'"),
                "fleet.yaml:10: defaults.netns: \"a b\" is not allowed (it"
                        + " contains a space); use a network namespace name as `ip netns` shows it (1 to 64 letters, digits,"
                        + " '.', '_' or '-') or an absolute path such as /run/netns/lb1");
        assertEquals(
                "/run/netns/x",
                load(withDefaults("  netns: /run/netns/x")).node("lb1").netns().orElseThrow());
    }

    @Test
    void healthCheckSourcesAreUnicastAddressesOfTheirFamily() throws Exception {
        NodeSettings lb1 = load(withDefaults(
                        "  healthcheck-source-v4: 10.0.0.11", "  healthcheck-source-v6: 'FD00:0:0::11'"))
                .node("lb1");
        assertEquals(
                InetAddress.getByName("10.0.0.11"), lb1.healthCheckSourceV4().orElseThrow());
        assertEquals(
                InetAddress.getByName("fd00::11"), lb1.healthCheckSourceV6().orElseThrow());
        NodeSettings none = load(ONE).node("lb1");
        assertTrue(none.healthCheckSourceV4().isEmpty());
        assertTrue(none.healthCheckSourceV6().isEmpty());

        String v4 = "use an IPv4 unicast address of this node, e.g. 10.0.0.11";
        String v6 = "use an IPv6 unicast address of this node, e.g. fd00::11";
        assertError(
                withDefaults("  healthcheck-source-v4: fd00::11"),
                "fleet.yaml:10: defaults.healthcheck-source-v4:"
                        + " \"fd00::11\" is not allowed (it is an IPv6 address; put it in healthcheck-source-v6); "
                        + v4);
        assertError(
                withDefaults("  healthcheck-source-v4: lb1.example"),
                "fleet.yaml:10:"
                        + " defaults.healthcheck-source-v4: \"lb1.example\" is not allowed (it is not an IPv4 address); "
                        + v4);
        assertError(
                withDefaults("  healthcheck-source-v4: 10.0.0.011"),
                "fleet.yaml:10:"
                        + " defaults.healthcheck-source-v4: \"10.0.0.011\" is not allowed (it is not an IPv4 address); "
                        + v4);
        assertError(
                withDefaults("  healthcheck-source-v4: 0.0.0.0"),
                "fleet.yaml:10: defaults.healthcheck-source-v4:"
                        + " \"0.0.0.0\" is not allowed (it is the unspecified address); " + v4);
        assertError(
                withDefaults("  healthcheck-source-v4: 127.0.0.2"),
                "fleet.yaml:10: defaults.healthcheck-source-v4:"
                        + " \"127.0.0.2\" is not allowed (it is a loopback address); " + v4);
        assertError(
                withDefaults("  healthcheck-source-v4: 239.1.1.1"),
                "fleet.yaml:10: defaults.healthcheck-source-v4:"
                        + " \"239.1.1.1\" is not allowed (it is a multicast address); " + v4);
        assertError(
                withDefaults("  healthcheck-source-v4: 255.255.255.255"),
                "fleet.yaml:10:"
                        + " defaults.healthcheck-source-v4: \"255.255.255.255\" is not allowed (it is the broadcast address); "
                        + v4);
        assertError(
                withDefaults("  healthcheck-source-v6: 10.0.0.11"),
                "fleet.yaml:10: defaults.healthcheck-source-v6:"
                        + " \"10.0.0.11\" is not allowed (it is an IPv4 address; put it in healthcheck-source-v4); "
                        + v6);
        assertError(
                withDefaults("  healthcheck-source-v6: '::ffff:10.0.0.11'"),
                "fleet.yaml:10:"
                        + " defaults.healthcheck-source-v6: \"::ffff:10.0.0.11\" is not allowed (it is an IPv4-mapped address;"
                        + " put the IPv4 address in healthcheck-source-v4); " + v6);
        assertError(
                withDefaults("  healthcheck-source-v6: fe80::1"),
                "fleet.yaml:10: defaults.healthcheck-source-v6:"
                        + " \"fe80::1\" is not allowed (it is a link-local address); " + v6);
        assertError(
                withDefaults("  healthcheck-source-v6: '::'"),
                "fleet.yaml:10: defaults.healthcheck-source-v6:"
                        + " \"::\" is not allowed (it is the unspecified address); " + v6);
        assertError(
                withDefaults("  healthcheck-source-v6: '[fd00::11]'"),
                "fleet.yaml:10:"
                        + " defaults.healthcheck-source-v6: \"[fd00::11]\" is not allowed (it is not an IPv6 address); "
                        + v6);
    }

    @Test
    void healthCheckSourcesArePerNodeAndClearable() throws Exception {
        String yaml = append(
                replace(THREE, 17, "  gateway-mac: \"0a:1b:2c:3d:4e:5f\"", "  healthcheck-source-v4: 10.0.0.100"),
                "nodes:",
                "  lb2:",
                "    healthcheck-source-v4: 10.0.0.2",
                "  lb3:",
                "    healthcheck-source-v4:");
        FleetConfig fleet = load(yaml);
        assertEquals(
                InetAddress.getByName("10.0.0.100"),
                fleet.node("lb1").healthCheckSourceV4().orElseThrow());
        assertEquals(
                InetAddress.getByName("10.0.0.2"),
                fleet.node("lb2").healthCheckSourceV4().orElseThrow());
        assertTrue(fleet.node("lb3").healthCheckSourceV4().isEmpty());
    }

    @Test
    void idTemplateThatBreaksARuleSaysWhatItBecame() {
        String yaml = replace(ONE, 3, "  - id: a-long-node-name");
        yaml = replace(yaml, 8, "  interface: veth-{id}");
        assertError(
                yaml,
                "fleet.yaml:8: defaults.interface: \"veth-{id}\" becomes \"veth-a-long-node-name\" for"
                        + " node a-long-node-name, which is not allowed (it is 21 characters long; Linux allows at most 15); "
                        + IFACE);
    }

    @Test
    void nodesKeysMustBePeerIds() {
        assertError(
                append(THREE, "nodes:", "  lb9:", "    interface: eth1"),
                "fleet.yaml:21: nodes.lb9: no peer has id \"lb9\"; use one of lb1, lb2, lb3");
    }

    @Test
    void nodesMustBeAMapping() {
        assertError(
                append(ONE, "nodes: [lb1]"),
                "fleet.yaml:12: nodes: a list is not allowed; use a mapping from peer"
                        + " id to node settings (interface, xdp-mode, attach-mode, root-array-pin, root-slot, gateway-mac,"
                        + " forwarding-cpus, numa-nodes, lru-size, bpffs, pin-dir, data-dir, route-hook, bird-socket, metrics-address,"
                        + " netns, healthcheck-source-v4, healthcheck-source-v6, conn-table, balancer)");
    }

    @Test
    void unknownNodeSettingSuggests() {
        assertError(
                withDefaults("  lru_size: 4096"),
                "fleet.yaml:10: defaults.lru_size: unknown field. Did you mean"
                        + " lru-size? Allowed here: interface, xdp-mode, attach-mode, root-array-pin, root-slot, gateway-mac,"
                        + " forwarding-cpus, numa-nodes, lru-size, bpffs, pin-dir, data-dir, route-hook, bird-socket, metrics-address, netns,"
                        + " healthcheck-source-v4, healthcheck-source-v6, conn-table, balancer");
        assertError(
                append(ONE, "nodes:", "  lb1:", "    role: listener"),
                "fleet.yaml:14: nodes.lb1.role: unknown"
                        + " field. role belongs in peers. Allowed here: interface, xdp-mode, attach-mode, root-array-pin,"
                        + " root-slot, gateway-mac, forwarding-cpus, numa-nodes, lru-size, bpffs, pin-dir, data-dir,"
                        + " route-hook, bird-socket, metrics-address, netns, healthcheck-source-v4, healthcheck-source-v6, conn-table, balancer");
    }

    @Test
    void badDefaultIsReportedOnceThoughEveryNodeUsesIt() {
        assertError(
                replace(THREE, 16, "  interface: eth0/1"),
                "fleet.yaml:16: defaults.interface: \"eth0/1\" is not allowed (it contains '/'); " + IFACE);
    }

    @Test
    void badDefaultIsReportedEvenWhenEveryNodeOverridesIt() {
        String yaml = append(replace(ONE, 8, "  interface: eth0/1"), "nodes:", "  lb1:", "    interface: eth1");
        assertError(yaml, "fleet.yaml:8: defaults.interface: \"eth0/1\" is not allowed (it contains '/'); " + IFACE);
    }

    @Test
    void emptyValueClearsOnlyWhereAllowed() {
        assertError(
                withDefaults("  lru-size:"),
                "fleet.yaml:10: defaults.lru-size: has no value; use an integer from 1024 to 67108864");
    }
}
