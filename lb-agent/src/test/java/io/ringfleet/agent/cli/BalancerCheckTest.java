package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.datapath.BalancerVariant;
import io.ringfleet.config.BalancerBuild;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lbctl doctor's balancer check reads which build the pin dir holds (pin names as PinnedProgram writes them). */
class BalancerCheckTest {
    @TempDir
    Path pins;

    @Test
    void saysWhichBuildRunsAndWhetherTheSettingAsksForAnother() throws Exception {
        HostDoctor.Check none = BalancerCheck.of(pins, BalancerBuild.SECOND_CHANCE);
        assertEquals(HostDoctor.Status.warn, none.status());
        assertTrue(none.fix().contains("balancer_sc"), none.fix());

        Files.createFile(pins.resolve("prog_xdp_balancer_0123456789ab"));
        Files.createFile(pins.resolve("ch_rings"));
        assertEquals(BalancerVariant.BALANCER, BalancerCheck.pinned(pins).orElseThrow());
        HostDoctor.Check stale = BalancerCheck.of(pins, BalancerBuild.SECOND_CHANCE);
        assertEquals(HostDoctor.Status.warn, stale.status());
        assertTrue(stale.detail().startsWith("balancer runs (no second chance)"), stale.detail());
        assertEquals(
                HostDoctor.Status.ok,
                BalancerCheck.of(pins, BalancerBuild.PLAIN).status());

        Files.delete(pins.resolve("prog_xdp_balancer_0123456789ab"));
        Files.createFile(pins.resolve("prog_xdp_balancer_sc_ba9876543210"));
        HostDoctor.Check sc = BalancerCheck.of(pins, BalancerBuild.SECOND_CHANCE);
        assertEquals(HostDoctor.Status.ok, sc.status());
        assertEquals("balancer_sc runs (second chance)", sc.detail());
    }
}
