package io.ringfleet.state.command;

import static io.ringfleet.state.command.CommandValidatorTest.assertRejected;
import static io.ringfleet.state.testing.Commands.PEERS;
import static io.ringfleet.state.testing.Commands.drain;
import static io.ringfleet.state.testing.Commands.finalizeVersion;
import static io.ringfleet.state.testing.Commands.reportVersion;
import static io.ringfleet.state.testing.Commands.undrain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.testing.CommandLog;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Drain and undrain name a peer of the log's settings from fleet version 3 (FleetVersions.Rule.NODE_NAMES). */
class NodeNamesTest {
    private static final int NODE_NAMES = FleetVersions.Rule.NODE_NAMES.version();
    private static final String PEER_LIST = PEERS.stream().map(FleetPeer::id).collect(Collectors.joining(", "));

    @Test
    void drainingANodeThatIsNotAPeerIsRefusedAndChangesNothing() {
        CommandLog fleet = new CommandLog(FleetLimits.DEFAULT, NODE_NAMES);
        String stranger = "lb9";
        assertFalse(PEERS.stream().anyMatch(p -> p.id().equals(stranger)));
        assertRejected(
                ErrorCode.NOT_FOUND,
                "cannot drain node \"" + stranger + "\": not a peer of the fleet (peers: " + PEER_LIST + ")",
                fleet,
                drain(stranger, "typo"));
        assertRejected(
                ErrorCode.NOT_FOUND,
                "cannot undrain node \"" + stranger + "\": not a peer of the fleet (peers: " + PEER_LIST + ")",
                fleet,
                undrain(stranger));
        assertTrue(fleet.image().nodes().isEmpty(), "nothing drained");
    }

    @Test
    void aPeerDrainsAndUndrainsAndANoOpEmitsNothing() {
        CommandLog fleet = new CommandLog(FleetLimits.DEFAULT, NODE_NAMES);
        String peer = PEERS.get(1).id();
        assertTrue(fleet.submit(undrain(peer)).records().isEmpty(), "undrain of an undrained peer is a no-op");
        assertTrue(fleet.apply(drain(peer, "kernel upgrade")).nodes().isDrained(peer));
        assertTrue(fleet.submit(drain(peer, "again")).records().isEmpty(), "a second drain is a no-op");
        assertFalse(fleet.apply(undrain(peer)).nodes().isDrained(peer));
    }

    @Test
    void beforeVersion3AStrangerCanBeDrainedAndAfterTheUpgradeStillUndrained() {
        CommandLog fleet = new CommandLog(FleetLimits.DEFAULT, NODE_NAMES - 1);
        assertTrue(fleet.apply(drain("lb9", "old typo")).nodes().isDrained("lb9"), "rule not in force yet");
        for (FleetPeer p : PEERS) {
            fleet.apply(reportVersion(p.id(), NODE_NAMES));
        }
        fleet.apply(finalizeVersion(NODE_NAMES));
        assertEquals(NODE_NAMES, fleet.image().settings().fleetVersion());
        assertRejected(
                ErrorCode.NOT_FOUND,
                "cannot drain node \"lb8\": not a peer of the fleet (peers: " + PEER_LIST + ")",
                fleet,
                drain("lb8", ""));
        assertFalse(fleet.apply(undrain("lb9")).nodes().isDrained("lb9"), "the old drain can be undone");
    }

    @Test
    void aLogWithoutSettingsHasNoPeersToCheckAgainst() {
        CommandLog fleet = new CommandLog();
        assertTrue(fleet.apply(drain("lb9", "")).nodes().isDrained("lb9"));
    }
}
