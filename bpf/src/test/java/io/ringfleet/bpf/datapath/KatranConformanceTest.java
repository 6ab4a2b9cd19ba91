package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.bpf.abi.HcReal;
import io.ringfleet.testing.KatranData;
import io.ringfleet.testing.TcAction;
import io.ringfleet.testing.XdpAction;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Katran's own packet fixtures through BPF_PROG_TEST_RUN (repeat 1, in file order: connection-table
 * state carries over), every output byte compared. Prints one summary line per set
 * ("katran-conformance gue: 36/36 passed"; the name is the file's before "_fixtures.json").
 * Sets: base and too-big (balancer, balancer_toobig), gue (balancer_gue), healthcheck and
 * healthcheck_gue (the tc program, its SCHED_CLS test run carrying the set's skb mark per frame),
 * udp_stable_routing and udp_flow_migration (balancer_gue; the latter reconfigured between its
 * phases), tpr and tpr_gue (balancer_tpr, balancer_tpr_gue), decap_stats, egress_decap and xpop_decap
 * (balancer_gue_decap, with the set's decap destinations and the balancer in its own recirculation slot), cidr_vip
 * (balancer_gue_cidr), lpm_src_lookup (balancer_gue_lpm_src).
 */
class KatranConformanceTest {

    @Test
    void baseFixturesPassByteForByte() {
        KatranData data = KatranData.load();
        List<String> failures = runSet(data, "balancer", data.baseFixtures(), "base");
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }

    @Test
    void tooBigFixturesPassWithTooBigGeneration() {
        KatranData data = KatranData.load();
        List<String> failures = runSet(data, "balancer_toobig", data.tooBigFixtures(), "too-big");
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }

    @Test
    void withoutTooBigGenerationTheOversizedFrameIsDropped() {
        KatranData data = KatranData.load();
        try (BalancerUnderTest lb = BalancerUnderTest.load("balancer")) {
            KatranProvisioning.provision(data, lb);
            for (KatranData.Fixture f : data.tooBigFixtures()) {
                TestRun.Result r = lb.run(f.input());
                assertEquals(XdpAction.DROP, r.retval(), f.name());
                assertEquals(Packets.hex(f.input()), Packets.hex(r.data()), f.name());
            }
        }
    }

    @Test
    void gueFixturesPassByteForByte() {
        KatranData data = KatranData.load();
        String file = "gue_fixtures.json";
        JsonNode sources = provisionOf(data, file).get("gue_source_addresses");
        List<String> failures = runSet(data, "balancer_gue", data.fixtures(file), setName(file), lb -> {
            lb.encapSource(Packets.ip(sources.get("ipv4").asText()));
            lb.encapSource(Packets.ip(sources.get("ipv6").asText()));
        });
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }

    /**
     * The second-chance builds send what the base builds send while no slot changed: the base and GUE sets pass on
     * balancer_sc / balancer_gue_sc with every previous ring equal to the current one.
     */
    @Test
    void secondChanceBuildsPassTheBaseAndGueSetsWhenNoSlotChanged() {
        KatranData data = KatranData.load();
        List<String> failures = new ArrayList<>(
                runSet(data, "balancer_sc", data.baseFixtures(), "base (balancer_sc)", lb -> lb.copyRingsToPrev()));
        String file = "gue_fixtures.json";
        JsonNode sources = provisionOf(data, file).get("gue_source_addresses");
        failures.addAll(runSet(
                data, "balancer_gue_sc", data.fixtures(file), setName(file) + " (balancer_gue_sc)", lb -> {
                    lb.encapSource(Packets.ip(sources.get("ipv4").asText()));
                    lb.encapSource(Packets.ip(sources.get("ipv6").asText()));
                    lb.copyRingsToPrev();
                }));
        failOn(failures);
    }

    @Test
    void udpStableRoutingFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_gue", "udp_stable_routing_fixtures.json"));
    }

    /** Two phases: the set's phase 2 (a real marked down, rings recomputed) is applied before frame 5. */
    @Test
    void udpFlowMigrationFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_gue", "udp_flow_migration_fixtures.json"));
    }

    @Test
    void tprFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_tpr", "tpr_fixtures.json"));
    }

    @Test
    void tprGueFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_tpr_gue", "tpr_gue_fixtures.json"));
    }

    @Test
    void decapStatsFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_gue_decap", "decap_stats_fixtures.json"));
    }

    @Test
    void egressDecapFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_gue_decap", "egress_decap_fixtures.json"));
    }

    @Test
    void xpopDecapFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_gue_decap", "xpop_decap_fixtures.json"));
    }

    @Test
    void cidrVipFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_gue_cidr", "cidr_vip_fixtures.json"));
    }

    /** From an empty connection table (a fresh balancer), as the set's provisioning asks. */
    @Test
    void lpmSrcLookupFixturesPassByteForByte() {
        failOn(runProvisionedSet(KatranData.load(), "balancer_gue_lpm_src", "lpm_src_lookup_fixtures.json"));
    }

    @Test
    void healthcheckFixturesPassByteForByte() {
        List<String> failures = runHealthcheckSet(KatranData.load(), "healthcheck", "healthcheck_fixtures.json");
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }

    /** GUE health checks: Katran draws the outer UDP source port at random; fixtures with a note mask it. */
    @Test
    void healthcheckGueFixturesPassWithTheOuterSourcePortMasked() {
        List<String> failures =
                runHealthcheckSet(KatranData.load(), "healthcheck_gue", "healthcheck_gue_fixtures.json");
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }

    /** "gue" for "gue_fixtures.json": the name a summary line uses. */
    static String setName(String file) {
        return file.substring(0, file.length() - "_fixtures.json".length());
    }

    /** The provisioning file a fixture set names (applied on top of provision.json, or alone). */
    private static JsonNode provisionOf(KatranData data, String file) {
        return data.json(data.json(file).get("provision_file").asText());
    }

    private static void failOn(List<String> failures) {
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
    }

    private static List<String> runSet(KatranData data, String variant, List<KatranData.Fixture> fixtures, String set) {
        return runSet(data, variant, fixtures, set, lb -> {});
    }

    /**
     * A fixture set of the second extraction on a balancer variant: provision.json when the set's provisioning
     * file says {@code starts_from}, then the file's own VIPs, rings and down reals, the GUE source addresses
     * (GUE variants), and each later phase of the fixture file's {@code phases} before its first frame.
     */
    private static List<String> runProvisionedSet(KatranData data, String variant, String file) {
        JsonNode set = data.json(file);
        JsonNode p = provisionOf(data, file);
        Map<Integer, Consumer<BalancerUnderTest>> beforeFrame = new HashMap<>();
        List<Consumer<BalancerUnderTest>> setup = new ArrayList<>();
        setup.add(lb -> KatranProvisioning.applySection(data, lb, p, p));
        if (variant.contains("_gue")) {
            JsonNode sources = p.get("gue_source_addresses");
            setup.add(lb -> {
                lb.encapSource(Packets.ip(sources.get("ipv4").asText()));
                lb.encapSource(Packets.ip(sources.get("ipv6").asText()));
            });
        }
        if (p.has("lpm_src_routes")) {
            setup.add(lb -> {
                for (JsonNode r : p.get("lpm_src_routes")) {
                    String[] prefix = r.get("prefix").asText().split("/");
                    lb.srcRoute(
                            Packets.ip(prefix[0]),
                            Integer.parseInt(prefix[1]),
                            r.get("real_index").asInt());
                }
            });
        }
        if (variant.endsWith("_decap")) {
            setup.add(lb -> {
                lb.recirculateToSelf();
                for (JsonNode d : p.path("decap_destinations")) {
                    lb.decapDestination(
                            Packets.ip(d.get("address").asText()),
                            d.get("flags").asInt());
                }
            });
        }
        if (set.has("phases")) {
            for (JsonNode phase : set.get("phases")) {
                JsonNode section = p.get("phase" + phase.get("phase").asInt());
                Consumer<BalancerUnderTest> apply = lb -> KatranProvisioning.applySection(data, lb, p, section);
                if (phase.get("frames").get(0).asInt()
                        == set.get("fixtures").get(0).get("index").asInt()) {
                    setup.add(apply);
                } else {
                    beforeFrame.put(phase.get("frames").get(0).asInt(), apply);
                }
            }
        }
        return runSet(
                data,
                variant,
                data.fixtures(file),
                setName(file),
                p.has("starts_from"),
                lb -> setup.forEach(s -> s.accept(lb)),
                beforeFrame);
    }

    /**
     * Runs a fixture set on a balancer provisioned from provision.json, then {@code extra} (the
     * set's own provisioning); prints the summary; returns failures.
     */
    private static List<String> runSet(
            KatranData data,
            String variant,
            List<KatranData.Fixture> fixtures,
            String set,
            Consumer<BalancerUnderTest> extra) {
        return runSet(data, variant, fixtures, set, true, extra, Map.of());
    }

    /**
     * Runs a fixture set on a balancer provisioned from provision.json (if {@code fromBase}), then
     * {@code extra}; {@code beforeFrame} reconfigures it before the frame of that index. Prints the
     * summary; returns failures.
     */
    private static List<String> runSet(
            KatranData data,
            String variant,
            List<KatranData.Fixture> fixtures,
            String set,
            boolean fromBase,
            Consumer<BalancerUnderTest> extra,
            Map<Integer, Consumer<BalancerUnderTest>> beforeFrame) {
        List<String> failures = new ArrayList<>();
        try (BalancerUnderTest lb = BalancerUnderTest.load(variant)) {
            if (fromBase) {
                KatranProvisioning.provision(data, lb);
            }
            extra.accept(lb);
            for (KatranData.Fixture f : fixtures) {
                beforeFrame.getOrDefault(f.index(), b -> {}).accept(lb);
                TestRun.Result r = lb.run(f.input());
                if (r.retval() != f.expectedAction() || !Arrays.equals(r.data(), f.expectedOutput())) {
                    failures.add(describe(f, r, r.data(), XdpAction::name));
                }
            }
        }
        printSummary(set, fixtures.size(), failures.size());
        return failures;
    }

    /**
     * Runs a health-check fixture set through a shipped variant of healthcheck.bpf.c, provisioned
     * only from the set's provisioning file (the tc program shares no map with the balancer); each
     * frame with the skb mark the set gives it. Prints the summary; returns failures.
     */
    private static List<String> runHealthcheckSet(KatranData data, String variant, String file) {
        JsonNode set = data.json(file);
        JsonNode p = provisionOf(data, file);
        JsonNode marks = set.get("input_context").get("skb_mark_by_index");
        Map<Integer, String> notes = new HashMap<>();
        set.get("fixtures").forEach(f -> {
            if (f.has("note")) {
                notes.put(f.get("index").asInt(), f.get("note").asText());
            }
        });
        List<KatranData.Fixture> fixtures = data.fixtures(file);
        List<String> failures = new ArrayList<>();
        try (BpfObject obj = BpfObject.open(Bpf.shippedObject(variant)).load();
                BpfProgram prog = obj.program("healthcheck");
                BpfMap reals = obj.map("hc_reals");
                BpfMap ctl = obj.map("hc_ctl")) {
            for (JsonNode r : p.get("hc_reals_map")) {
                reals.update(
                        BpfMap.u32(r.get("mark").asInt()),
                        new HcReal(Packets.ip(r.get("address").asText())).encode());
            }
            JsonNode src = p.get("hc_source_addresses");
            JsonNode macs = p.get("hc_macs");
            ctl.update(
                    BpfMap.u32(HcCtl.MAIN),
                    new HcCtl(
                                    (Inet4Address) Packets.ip(src.get("ipv4").asText()),
                                    (Inet6Address) Packets.ip(src.get("ipv6").asText()),
                                    p.get("hc_ctrl_map").get("ifindex").asInt(),
                                    KatranData.mac(macs.get("0").get("mac").asText()),
                                    KatranData.mac(macs.get("1").get("mac").asText()))
                            .encode());
            for (KatranData.Fixture f : fixtures) {
                int mark = marks.get(Integer.toString(f.index())).asInt();
                TestRun.Result r =
                        prog.testRun(TestRun.of(f.input()).skbMark(mark).dataOutCapacity(f.input().length + 512));
                byte[] got = r.data();
                String note = notes.get(f.index());
                if (note != null) {
                    got = withOuterUdpSourcePortOf(got, f.expectedOutput(), note);
                }
                if (r.retval() != f.expectedAction() || !Arrays.equals(got, f.expectedOutput())) {
                    failures.add(describe(f, r, got, TcAction::name));
                }
            }
        }
        printSummary(setName(file), fixtures.size(), failures.size());
        return failures;
    }

    /**
     * The masking a fixture's note asks for, and only that one: the two bytes of the outer UDP
     * source port (after the outer IPv4 or IPv6 header of the expected frame) copied from the
     * expected frame. A note about anything else masks nothing, so the frame then has to match.
     */
    static byte[] withOuterUdpSourcePortOf(byte[] got, byte[] want, String note) {
        if (!note.contains("outer UDP source port") || got.length != want.length) {
            return got;
        }
        int ethType = ((want[12] & 0xff) << 8) | (want[13] & 0xff);
        int udp;
        if (ethType == 0x0800 && want[14 + 9] == 17) {
            udp = 14 + 20;
        } else if (ethType == 0x86DD && want[14 + 6] == 17) {
            udp = 14 + 40;
        } else {
            return got;
        }
        byte[] masked = got.clone();
        masked[udp] = want[udp];
        masked[udp + 1] = want[udp + 1];
        return masked;
    }

    private static void printSummary(String set, int total, int failed) {
        System.out.println("katran-conformance " + set + ": " + (total - failed) + "/" + total + " passed");
    }

    private static String describe(KatranData.Fixture f, TestRun.Result r, byte[] got, IntFunction<String> action) {
        StringBuilder s = new StringBuilder();
        s.append("fixture #")
                .append(f.index())
                .append(" \"")
                .append(f.name())
                .append("\": got ")
                .append(action.apply(r.retval()))
                .append(" (")
                .append(got.length)
                .append(" bytes), want ")
                .append(action.apply(f.expectedAction()))
                .append(" (")
                .append(f.expectedOutput().length)
                .append(" bytes)\n");
        s.append(hexDiff(got, f.expectedOutput()));
        return s.toString();
    }

    /** Rows of 16 bytes that differ: offset, got, want, and ^^ under each differing byte. */
    static String hexDiff(byte[] got, byte[] want) {
        final int row = 16;
        StringBuilder s = new StringBuilder();
        for (int off = 0; off < Math.max(got.length, want.length); off += row) {
            StringBuilder g = new StringBuilder();
            StringBuilder w = new StringBuilder();
            StringBuilder m = new StringBuilder();
            boolean differs = false;
            for (int i = off; i < off + row; i++) {
                String gb = i < got.length ? String.format("%02x", got[i]) : "  ";
                String wb = i < want.length ? String.format("%02x", want[i]) : "  ";
                boolean d = !gb.equals(wb);
                differs |= d;
                g.append(gb).append(' ');
                w.append(wb).append(' ');
                m.append(d ? "^^ " : "   ");
            }
            if (differs) {
                s.append(String.format("  %04x got  %s%n  %4s want %s%n  %4s      %s%n", off, g, "", w, "", m));
            }
        }
        return s.toString();
    }
}
