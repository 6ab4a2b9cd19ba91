package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.testing.KatranData;
import io.ringfleet.testing.XdpAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Katran's own packet fixtures through BPF_PROG_TEST_RUN (repeat 1, in file order: connection-table
 * state carries over), every output byte compared. Prints one summary line per set.
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

    /** Runs a fixture set on a freshly provisioned balancer; prints the summary; returns failures. */
    private static List<String> runSet(KatranData data, String variant, List<KatranData.Fixture> fixtures,
                                       String set) {
        List<String> failures = new ArrayList<>();
        try (BalancerUnderTest lb = BalancerUnderTest.load(variant)) {
            KatranProvisioning.provision(data, lb);
            for (KatranData.Fixture f : fixtures) {
                TestRun.Result r = lb.run(f.input());
                if (r.retval() != f.expectedAction() || !Arrays.equals(r.data(), f.expectedOutput())) {
                    failures.add(describe(f, r));
                }
            }
        }
        System.out.println("katran-conformance " + set + ": " + (fixtures.size() - failures.size()) + "/"
                + fixtures.size() + " passed");
        return failures;
    }

    private static String describe(KatranData.Fixture f, TestRun.Result r) {
        StringBuilder s = new StringBuilder();
        s.append("fixture #").append(f.index()).append(" \"").append(f.name()).append("\": got ")
                .append(XdpAction.name(r.retval())).append(" (").append(r.data().length).append(" bytes), want ")
                .append(XdpAction.name(f.expectedAction())).append(" (").append(f.expectedOutput().length)
                .append(" bytes)\n");
        s.append(hexDiff(r.data(), f.expectedOutput()));
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
