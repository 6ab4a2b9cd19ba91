package io.ringfleet.agent.health;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.removeHealthCheck;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Which pairs an image says to probe, and with which mark: images from raft-state's real applier. */
class ProbePlanTest {
    private static final VipKey WEB = new VipKey(IpAddress.parse("10.0.0.1"), 80, Protocol.TCP);
    private static final VipKey DNS = new VipKey(IpAddress.parse("10.0.0.2"), 53, Protocol.UDP);
    private static final HealthCheckSpec TCP80 = HealthCheckSpec.tcp(80).build();

    private final CommandLog log = new CommandLog();

    private FleetImage twoVips() {
        log.apply(
                addVip(Commands.vip("10.0.0.1", 80, Commands.TCP)), addVip(Commands.vip("10.0.0.2", 53, Commands.UDP)));
        log.apply(addReals(Commands.vip("10.0.0.1", 80, Commands.TCP), "10.1.0.2=1", "10.1.0.3=1"));
        return log.apply(addReals(Commands.vip("10.0.0.2", 53, Commands.UDP), "10.1.0.2=1", "10.1.0.4=1"));
    }

    private static SortedMap<VipKey, HealthCheckSpec> checks(VipKey vip, HealthCheckSpec spec) {
        TreeMap<VipKey, HealthCheckSpec> m = new TreeMap<>();
        m.put(vip, spec);
        return m;
    }

    private static HealthPair pair(VipKey vip, String real) {
        return new HealthPair(vip, IpAddress.parse(real));
    }

    @Test
    void everyRealOfACheckedVipIsProbedWithItsMarkAndUncheckedVipsAreNot() {
        twoVips();
        FleetImage image = log.apply(setHealthCheck(7, "10.1.0.2"), setHealthCheck(8, "10.1.0.3"));

        ProbePlan plan = ProbePlan.of(image, checks(WEB, TCP80));

        assertEquals(
                Set.of(pair(WEB, "10.1.0.2"), pair(WEB, "10.1.0.3")),
                plan.targets().keySet());
        assertEquals(7, plan.targets().get(pair(WEB, "10.1.0.2")).mark());
        assertEquals(8, plan.targets().get(pair(WEB, "10.1.0.3")).mark());
        assertEquals(TCP80, plan.targets().get(pair(WEB, "10.1.0.3")).spec());
        assertTrue(plan.withoutDestination().isEmpty());
    }

    @Test
    void aRealWithoutDestinationIsListedNotProbed() {
        twoVips();
        FleetImage image = log.apply(setHealthCheck(7, "10.1.0.2"));

        ProbePlan plan = ProbePlan.of(image, checks(DNS, TCP80));

        assertEquals(Set.of(pair(DNS, "10.1.0.2")), plan.targets().keySet());
        assertEquals(Set.of(pair(DNS, "10.1.0.4")), plan.withoutDestination());
    }

    @Test
    void theLowestMarkOfARealIsItsProbeMarkOnEveryNode() {
        twoVips();
        log.apply(setHealthCheck(9, "10.1.0.2"), setHealthCheck(5, "10.1.0.2"), setHealthCheck(8, "10.1.0.3"));
        FleetImage image = log.image();

        assertEquals(
                5,
                ProbePlan.of(image, checks(WEB, TCP80))
                        .targets()
                        .get(pair(WEB, "10.1.0.2"))
                        .mark());

        FleetImage without5 = log.apply(removeHealthCheck(5));
        assertEquals(
                9,
                ProbePlan.of(without5, checks(WEB, TCP80))
                        .targets()
                        .get(pair(WEB, "10.1.0.2"))
                        .mark());
    }

    @Test
    void aCheckOfAVipTheImageDoesNotHoldProbesNothing() {
        FleetImage image = log.apply(setHealthCheck(7, "10.1.0.2"));

        ProbePlan plan = ProbePlan.of(image, checks(WEB, TCP80));

        assertTrue(plan.targets().isEmpty());
        assertTrue(plan.withoutDestination().isEmpty());
    }

    @Test
    void anUnchangedImageGivesAnEqualPlan() {
        FleetImage image = twoVips();
        FleetImage same = log.apply(setHealthCheck(7, "10.1.0.2"));
        FleetImage next = log.apply(addVip(Commands.vip("10.0.0.3", 443, Commands.TCP)));

        assertEquals(ProbePlan.of(same, checks(WEB, TCP80)), ProbePlan.of(next, checks(WEB, TCP80)));
        assertTrue(!ProbePlan.of(image, checks(WEB, TCP80)).equals(ProbePlan.of(same, checks(WEB, TCP80))));
    }
}
