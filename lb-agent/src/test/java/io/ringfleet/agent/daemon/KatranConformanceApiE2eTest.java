package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.agent.datapath.KatranConformanceE2eTest;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.testing.KatranData;
import io.ringfleet.testing.XdpAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Katran's conformance through a running agent: one {@link LbAgent} (a one-voter fleet, mutual TLS) is
 * provisioned only through its gRPC API (ControlService Apply, one batch per operator action, each waiting until
 * programmed) with the VIPs, flags, reals, QUIC mappings, health-check destinations and down reals of
 * provision.json; rings come from raft-state, maps from the agent's programmer. Then base_fixtures.json runs
 * through the program the agent loaded (BPF_PROG_TEST_RUN), with the fallback connection table only, as
 * Katran's test mode.
 */
class KatranConformanceApiE2eTest {

    @Test
    void aNodeProvisionedThroughItsApiPassesEveryBaseFixture() throws Exception {
        KatranData data = KatranData.load();
        JsonNode p = data.provision();
        try (AgentFleet fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 16, Map.of())) {
            fleet.options("lb1", b -> b.fallbackConnTableOnly(true));
            fleet.startAll(Duration.ofSeconds(60));
            var control = fleet.control("lb1", "alice");
            KatranConformanceE2eTest.provision(
                    commands -> {
                        ApplyResponse r = control.apply(ApplyRequest.newBuilder()
                                .addAllCommands(List.of(commands))
                                .setWaitProgrammedFleetWide(true)
                                .setWaitTimeoutMs(30_000)
                                .build());
                        assertFalse(r.getProgrammed().getTimedOut(), r.toString());
                    },
                    p);
            LbAgent agent = fleet.agent("lb1");
            // the programmer catches up with the applied image (Raft's own entries, such as commit metadata, may follow
            // the last write and move the programmed index a moment later); fails after 30 s
            fleet.awaitProgrammed(agent.image().index(), Duration.ofSeconds(30));
            KatranConformanceE2eTest.checkIdentifiersAreKatrans(agent.image(), p);
            KatranConformanceE2eTest.checkHealthCheckDestinations(agent.datapath(), p);

            List<KatranData.Fixture> fixtures = data.baseFixtures();
            List<String> failures = new ArrayList<>();
            for (KatranData.Fixture f : fixtures) {
                TestRun.Result r = agent.datapath()
                        .program()
                        .testRun(TestRun.of(f.input()).dataOutCapacity(f.input().length + 512));
                if (r.retval() != f.expectedAction() || !Arrays.equals(r.data(), f.expectedOutput())) {
                    failures.add("fixture #" + f.index() + " \"" + f.name() + "\": got " + XdpAction.name(r.retval())
                            + " " + HexFormat.of().formatHex(r.data()) + "\n  want "
                            + XdpAction.name(f.expectedAction())
                            + " " + HexFormat.of().formatHex(f.expectedOutput()));
                }
            }
            System.out.println("katran-conformance e2e-api: " + (fixtures.size() - failures.size()) + "/"
                    + fixtures.size() + " passed");
            if (!failures.isEmpty()) {
                fail(String.join("\n", failures));
            }
            assertEquals(36, fixtures.size(), "base_fixtures.json holds Katran's 36 base fixtures");
        }
    }
}
