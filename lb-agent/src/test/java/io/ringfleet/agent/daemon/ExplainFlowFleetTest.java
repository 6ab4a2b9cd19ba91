package io.ringfleet.agent.daemon;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.cli.LbctlJson;
import io.ringfleet.agent.cli.LbctlRunner;
import io.ringfleet.agent.datapath.BalancerDatapath;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import io.ringfleet.api.ExplainFlowRequest;
import io.ringfleet.api.ExplainFlowResponse;
import io.ringfleet.api.FlowDecision;
import io.ringfleet.api.FlowExplanation;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.state.VipFlags;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code lbctl explain} on a real fleet: three {@link LbAgent}s in this JVM (real Ratis peers and APIs over mutual
 * TLS, real BPF maps programmed by each agent, not attached). Seeded flows over several VIPs (TCP, UDP, a port-0
 * VIP, a hash_no_src_port VIP, IPv6 with IPv6 reals): every node's explanation names the same real, and that real is
 * the one the node's kernel program really picks for a frame of the flow (BPF_PROG_TEST_RUN of its balancer, the
 * outer destination of the encapsulated frame). After the program ran, the flow's connection-table entry (written by
 * the program) is what every node explains. A connection-table entry planted on one node for another real is seen
 * by explain and by the program alike: lbctl says the nodes disagree (exit 7). Prints {@code lbctl-explain: N flows,
 * same real on 3/3 nodes}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplainFlowFleetTest {
    static final int FLOWS = 120;
    static final long SEED = 0x15e8_91a1L;
    static final int XDP_TX = 3;
    static final VipKey WEB = vip("10.210.0.1", 80, TCP);
    static final VipKey DNS = vip("10.210.0.2", 53, UDP);
    static final VipKey ALL_PORTS = vip("10.210.0.3", 0, TCP);
    static final VipKey NO_SRC_PORT = vip("10.210.0.4", 80, TCP);
    static final VipKey V6 = vip("fd00:210::1", 443, UDP);
    static final List<VipKey> VIPS = List.of(WEB, DNS, ALL_PORTS, NO_SRC_PORT, V6);
    static final List<String> NODES = List.of("lb1", "lb2", "lb3");

    static AgentFleet fleet;
    static LbctlRunner lbctl;

    /** One flow: its VIP, client and ports (the destination port is the VIP's, or any for the port-0 VIP). */
    record Flow(VipKey vip, InetAddress source, int sourcePort, int destinationPort) {
        ExplainFlowRequest request(boolean fleetWide) {
            return ExplainFlowRequest.newBuilder()
                    .setProtocol(vip.getProtocol())
                    .setSourceAddress(source.getHostAddress())
                    .setSourcePort(sourcePort)
                    .setVipAddress(vip.getAddress())
                    .setVipPort(destinationPort)
                    .setFleetWide(fleetWide)
                    .build();
        }

        byte[] frame(int tcpFlags) throws Exception {
            InetAddress dst = InetAddress.getByName(vip.getAddress());
            if (vip.getProtocol() == Protocol.UDP) {
                return Frames.udp(source, dst, sourcePort, destinationPort, new byte[16]);
            }
            return Frames.tcp4((Inet4Address) source, (Inet4Address) dst, sourcePort, destinationPort, tcpFlags);
        }

        String[] lbctlArgs() {
            String src = source.getHostAddress();
            String v = vip.getAddress();
            return new String[] {
                vip.getProtocol() == Protocol.UDP ? "udp" : "tcp",
                (src.indexOf(':') >= 0 ? "[" + src + "]" : src) + ":" + sourcePort,
                (v.indexOf(':') >= 0 ? "[" + v + "]" : v) + ":" + destinationPort
            };
        }
    }

    @BeforeAll
    static void startFleetWithVips() throws Exception {
        fleet = new AgentFleet(TestPki.shared(), NODES, 8, Map.of()).startAll(Duration.ofSeconds(90));
        lbctl = new LbctlRunner(fleet.target("lb2"), fleet.pki.ca(), fleet.pki.dir);
        apply(
                addVip(WEB),
                addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=2", "10.0.0.4=1"),
                addVip(DNS),
                addReals(DNS, "10.0.0.5=1", "10.0.0.6=3", "10.0.0.7=1"),
                addVip(ALL_PORTS),
                addReals(ALL_PORTS, "10.0.0.1=1", "10.0.0.8=1"),
                addVip(NO_SRC_PORT, VipFlags.HASH_NO_SRC_PORT),
                addReals(NO_SRC_PORT, "10.0.0.2=1", "10.0.0.9=1", "10.0.0.10=1"),
                addVip(V6),
                addReals(V6, "fd00::a1=1", "fd00::a2=1", "fd00::a3=1"));
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static void apply(Command... commands) throws Exception {
        ApplyResponse r = fleet.control("lb1", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addAllCommands(List.of(commands))
                        .setWaitProgrammedFleetWide(true)
                        .setWaitTimeoutMs(30_000)
                        .build());
        assertFalse(r.getProgrammed().getTimedOut(), "fleet-wide wait timed out: " + r.getProgrammed());
    }

    static List<Flow> seededFlows() throws Exception {
        Random random = new Random(SEED);
        List<Flow> flows = new java.util.ArrayList<>();
        for (int i = 0; i < FLOWS; i++) {
            VipKey vip = VIPS.get(i % VIPS.size());
            byte[] src = vip.getAddress().indexOf(':') >= 0
                    ? InetAddress.getByName("fd77:0:210::").getAddress()
                    : new byte[] {10, 77, 0, 0};
            src[src.length - 2] = (byte) random.nextInt(256);
            src[src.length - 1] = (byte) (1 + random.nextInt(254));
            int dport = vip.getPort() == 0 ? 1 + random.nextInt(65535) : vip.getPort();
            flows.add(new Flow(vip, InetAddress.getByAddress(src), 1024 + random.nextInt(64_000), dport));
        }
        return flows;
    }

    /** The real a node's loaded balancer forwards the frame to: the outer destination, or the verdict. */
    static String kernelPick(String node, byte[] frame) {
        TestRun.Result r =
                fleet.agent(node).datapath().program().testRun(TestRun.of(frame).dataOutCapacity(frame.length + 64));
        if (r.retval() != XDP_TX) {
            return "XDP verdict " + r.retval();
        }
        byte[] out = r.data();
        boolean outerV6 = ((out[12] & 0xff) << 8 | (out[13] & 0xff)) == 0x86dd;
        byte[] dst = outerV6 ? Arrays.copyOfRange(out, 14 + 24, 14 + 40) : Arrays.copyOfRange(out, 14 + 16, 14 + 20);
        try {
            return io.ringfleet.state.IpAddress.fromBytes(dst).toString();
        } catch (RuntimeException e) {
            return "unreadable outer destination";
        }
    }

    static ExplainFlowResponse explain(String via, Flow flow) throws Exception {
        return fleet.control(via, "bob").explainFlow(flow.request(true));
    }

    @Test
    @Order(1)
    void everyNodeExplainsTheRealItsKernelProgramPicks() throws Exception {
        int agreed = 0;
        for (Flow flow : seededFlows()) {
            ExplainFlowResponse before = explain(NODES.get(agreed % 3), flow);
            assertEquals(3, before.getNodesCount(), before.toString());
            assertTrue(before.getAgree(), flow + ": " + before);
            String real = before.getNodes(0).getReal();
            for (FlowExplanation n : before.getNodesList()) {
                assertEquals(FlowDecision.FLOW_DECISION_RING, n.getDecision(), flow + ": " + n);
                assertEquals(before.getNodes(0).getRingDigest(), n.getRingDigest());
                assertEquals(real, kernelPick(n.getNodeId(), flow.frame(Frames.TCP_SYN)), n.getNodeId() + ", " + flow);
            }
            // the program remembered the flow in its connection table: every node now explains by that entry
            ExplainFlowResponse after = explain(NODES.get((agreed + 1) % 3), flow);
            assertTrue(after.getAgree(), flow + ": " + after);
            for (FlowExplanation n : after.getNodesList()) {
                assertEquals(FlowDecision.FLOW_DECISION_CONN_TABLE, n.getDecision(), flow + ": " + n);
                assertEquals(real, n.getReal());
            }
            agreed++;
        }
        assertEquals(FLOWS, agreed);
        System.out.println("lbctl-explain: " + agreed + " flows, same real on 3/3 nodes (" + VIPS.size()
                + " VIPs; each the real of every node's kernel program, then its connection-table entry)");
    }

    @Test
    @Order(2)
    void lbctlPrintsOneRowPerNodeAndTheVerdict() throws Exception {
        Flow flow = seededFlows().get(0);
        LbctlRunner.Result table = lbctl.as("bob", concat(new String[] {"explain", "--syn"}, flow.lbctlArgs()));
        assertEquals(0, table.exit(), table.toString());
        String real = explain("lb1", flow).getNodes(0).getReal();
        List<String> lines = table.outLines();
        assertEquals(1 + 3 + 1, lines.size(), table.toString());
        assertTrue(lines.get(0).startsWith("NODE"), table.toString());
        for (int i = 0; i < 3; i++) {
            assertTrue(
                    lines.get(1 + i).startsWith(NODES.get(i))
                            && lines.get(1 + i).contains(real),
                    table.toString());
            assertTrue(lines.get(1 + i).contains("ring"), "--syn skips the connection table: " + table);
        }
        assertEquals("agree: real " + real + " on 3/3 nodes", lines.get(4));

        LbctlRunner.Result json = lbctl.as("bob", concat(new String[] {"explain", "-o", "json"}, flow.lbctlArgs()));
        assertEquals(0, json.exit(), json.toString());
        ExplainFlowResponse parsed = LbctlJson.merge(json.out().trim(), ExplainFlowResponse.newBuilder())
                .build();
        assertTrue(parsed.getAgree());
        assertEquals(3, parsed.getNodesCount());
        parsed.getNodesList().forEach(n -> assertEquals(real, n.getReal()));
    }

    @Test
    @Order(3)
    void badInputIsOneLineWithADistinctExitCode() {
        LbctlRunner.Result unknownVip = lbctl.as("bob", "explain", "tcp", "10.0.0.1:40000", "10.210.9.9:80");
        assertEquals(3, unknownVip.exit(), unknownVip.toString());
        assertTrue(unknownVip.err().startsWith("lbctl: not found: no VIP tcp 10.210.9.9:80"), unknownVip.toString());
        LbctlRunner.Result badAddress = lbctl.as("bob", "explain", "tcp", "10.0.0.300:40000", "10.210.0.1:80");
        assertEquals(3, badAddress.exit(), badAddress.toString());
        assertTrue(
                badAddress.err().contains("source address \"10.0.0.300\" is not a valid IP address"), badAddress.err());
        LbctlRunner.Result families = lbctl.as("bob", "explain", "tcp", "[fd00::1]:40000", "10.210.0.1:80");
        assertEquals(3, families.exit(), families.toString());
        LbctlRunner.Result noPort = lbctl.as("bob", "explain", "tcp", "10.0.0.1", "10.210.0.1:80");
        assertEquals(2, noPort.exit(), noPort.toString());
        for (LbctlRunner.Result r : List.of(unknownVip, badAddress, families, noPort)) {
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
            assertEquals("", r.out(), r.toString());
        }
    }

    @Test
    @Order(4)
    void aConnectionTableEntryOnOneNodeIsADisagreementTheKernelConfirms() throws Exception {
        Flow flow = new Flow(WEB, InetAddress.getByName("10.77.250.1"), 45678, 80);
        String ringReal = explain("lb1", flow).getNodes(0).getReal();
        String other = List.of("10.0.0.1", "10.0.0.2").contains(ringReal) ? "10.0.0.3" : "10.0.0.1";
        int otherIndex = fleet.agent("lb2")
                .image()
                .reals()
                .get(io.ringfleet.state.IpAddress.parse(other))
                .orElseThrow()
                .index();
        plantEverywhereOn("lb2", flow, otherIndex);

        LbctlRunner.Result r = lbctl.as("bob", concat(new String[] {"explain"}, flow.lbctlArgs()));
        assertEquals(7, r.exit(), "exit 7: the nodes disagree\n" + r);
        String last = r.outLines().get(r.outLines().size() - 1);
        assertTrue(
                last.startsWith("DISAGREE: ")
                        && last.contains(other + " on lb2")
                        && last.contains(ringReal + " on lb1,lb3"),
                r.toString());
        assertTrue(r.outLines().get(2).startsWith("lb2") && r.outLines().get(2).contains("conn table"), r.toString());
        // the kernel program agrees with each node's explanation: lb2 forwards the flow to the planted real
        assertEquals(other, kernelPick("lb2", flow.frame(Frames.TCP_ACK)));
        assertEquals(ringReal, kernelPick("lb1", flow.frame(Frames.TCP_ACK)));
        assertNotEquals(ringReal, other);
    }

    /** Writes flow → real index into every table of one node's kernel (each CPU's LRU, and the fallback). */
    static void plantEverywhereOn(String node, Flow flow, int realIndex) throws Exception {
        BalancerDatapath d = fleet.agent(node).datapath();
        byte[] key = new FlowKey(
                        flow.source(),
                        InetAddress.getByName(flow.vip().getAddress()),
                        flow.sourcePort(),
                        flow.destinationPort(),
                        6)
                .encode();
        byte[] value = new Conn(realIndex, 0).encode();
        Path pins = d.config().pinDir().orElseThrow();
        BpfMap outer = d.map(MapNames.CONN_LRU_MAPS);
        for (int cpu = 0; cpu < Math.min(Bpf.numPossibleCpus(), outer.maxEntries()); cpu++) {
            if (outer.lookup(BpfMap.u32(cpu)).isPresent()) {
                try (BpfMap table = BpfMap.openPinned(BalancerDatapath.connTablePin(pins, cpu))) {
                    table.update(key, value);
                }
            }
        }
        d.map(MapNames.CONN_FALLBACK).update(key, value);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
