package io.ringfleet.agent.health;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.batch;
import static io.ringfleet.state.testing.Commands.bootstrap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.api.InProcessFleetLog;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.testing.Commands;
import io.ringfleet.state.testing.HealthFleet;
import java.time.Clock;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The agent's write and read of votes against raft-state's real validation (the in-process applier every replica
 * runs, fleet version 3): what the writer sends is accepted as this node's votes and read back by {@link
 * ImageHealthLog}; what the state machine refuses fails the future with one line.
 */
class GatewayVerdictWriterTest {
    private static final io.ringfleet.api.VipKey VIP = Commands.vip("10.0.0.1", 80, Commands.TCP);
    private static final HealthPair A = new HealthPair(HealthFleet.key(VIP), IpAddress.parse("10.1.0.2"));
    private static final HealthPair B = new HealthPair(HealthFleet.key(VIP), IpAddress.parse("10.1.0.3"));

    private final InProcessFleetLog log = new InProcessFleetLog("lb1", FleetLimits.DEFAULT);
    private final ImageHealthLog reader = new ImageHealthLog();

    @BeforeEach
    void fleetAtVersion3WithACheckedVip() {
        submitOk(batch(bootstrap(FleetLimits.DEFAULT, FleetVersions.Rule.HEALTH_VERDICTS.version())));
        submitOk(batch(addVip(VIP)));
        submitOk(batch(addReals(VIP, "10.1.0.2=1", "10.1.0.3=1")));
        submitOk(batch(HealthFleet.setCheck(VIP, HealthFleet.tcpCheck(true))));
    }

    @AfterEach
    void close() {
        log.close();
    }

    private void submitOk(CommandBatch b) {
        assertEquals(ReplyCode.OK, log.submit(b).join().reply().getCode(), b::toString);
    }

    private static SortedMap<HealthPair, Verdict> votes(Map<HealthPair, Verdict> m) {
        return new TreeMap<>(m);
    }

    @Test
    void verdictsWrittenAreThisNodesVotesInTheImage() {
        GatewayVerdictWriter writer = new GatewayVerdictWriter(log, Clock.systemUTC());

        long index = writer.write(votes(Map.of(A, Verdict.DOWN, B, Verdict.UP))).join();

        FleetImage image = log.image();
        assertEquals(index, image.index());
        assertEquals(votes(Map.of(A, Verdict.DOWN, B, Verdict.UP)), reader.votes(image, "lb1"));
        assertTrue(reader.votes(image, "lb2").isEmpty());
        CommandBatch entry = log.entries().get(log.entries().size() - 1);
        assertEquals("lb1", entry.getViaNode());
        assertEquals("agent:lb1", entry.getPrincipal());
        assertEquals(2, entry.getCommandsCount(), "one batch for both verdicts");
    }

    @Test
    void theImagesChecksAreReadByVipKey() {
        assertEquals(Map.of(HealthFleet.key(VIP), HealthCheckSpec.tcp(80).build()), reader.checks(log.image()));

        submitOk(batch(HealthFleet.setCheck(VIP, HealthFleet.tcpCheck(false))));

        assertTrue(reader.checks(log.image()).isEmpty(), "a disabled check is not probed");
    }

    @Test
    void aRefusedReportFailsTheFutureWithOneLine() {
        GatewayVerdictWriter writer = new GatewayVerdictWriter(log, Clock.systemUTC());
        HealthPair notAMember = new HealthPair(HealthFleet.key(VIP), IpAddress.parse("10.1.0.9"));
        long before = log.image().stateIndex();

        Executable write = () -> writer.write(votes(Map.of(A, Verdict.DOWN, notAMember, Verdict.DOWN)))
                .join();
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, write);

        String message = Futures.message(e);
        assertTrue(message.startsWith("health report rejected: "), message);
        assertTrue(!message.contains("\n"), message);
        assertEquals(before, log.image().stateIndex(), "a refused batch changed the state");
        assertTrue(reader.votes(log.image(), "lb1").isEmpty());
    }
}
