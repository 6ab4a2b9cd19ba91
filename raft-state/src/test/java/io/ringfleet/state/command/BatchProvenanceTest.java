package io.ringfleet.state.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.testing.Commands;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The batch as a whole, checked by the state machine whatever the API did: size ({@link BatchLimits}) and
 * provenance (principal, via-node, time, request id). Each case starts from a batch that is accepted, so a
 * rejection is caused by the one field the case changes.
 */
class BatchProvenanceTest {
    private final CommandValidator validator = new CommandValidator();
    /** A fleet at version 2 (the checks are a rule of it), room for 4,096 VIPs, peers lb1..lb3. */
    private final FleetImage fleet = bootstrapped(FleetVersions.SUPPORTED);

    private final VipKey vip = tcpVip("10.0.0.1", 80);
    private final CommandBatch good = Commands.batch(Commands.addVip(vip));

    @Test
    void theBaselineBatchIsAccepted() {
        assertTrue(validator.validate(fleet, good).isOk());
    }

    @Test
    void moreThanTheMaximumCommandsIsRejectedAsAWhole() {
        CommandBatch.Builder b = good.toBuilder().clearCommands();
        for (int i = 0; i <= BatchLimits.MAX_COMMANDS; i++) {
            b.addCommands(Commands.addVip(tcpVip("10.1." + (i / 250) + "." + (i % 250 + 1), 80)));
        }
        BatchApplier.Applied applied = new BatchApplier(validator).apply(fleet, b.build(), new Provenance(1, 2));
        Rejection r = applied.result().rejection().orElseThrow();
        assertEquals(ErrorCode.INVALID_ARGUMENT, r.code());
        assertEquals(-1, r.commandIndex(), "the batch, not one command, is rejected");
        assertTrue(r.message().contains("at most " + BatchLimits.MAX_COMMANDS), r.message());
        assertTrue(applied.image().sameStateAs(fleet), "nothing of it was applied");
    }

    @Test
    void exactlyTheMaximumCommandsIsAccepted() {
        CommandBatch.Builder b = good.toBuilder().clearCommands();
        for (int i = 0; i < BatchLimits.MAX_COMMANDS; i++) {
            b.addCommands(Commands.addVip(tcpVip("10.1." + (i / 250) + "." + (i % 250 + 1), 80)));
        }
        assertTrue(validator.validate(fleet, b.build()).isOk());
    }

    @Test
    void aMissingOrMalformedPrincipalIsRejected() {
        rejected(b -> b.setPrincipal(""), "principal is 0 characters");
        rejected(b -> b.setPrincipal("x".repeat(BatchLimits.MAX_PRINCIPAL + 1)), "principal is 257 characters");
        rejected(b -> b.setPrincipal("admin\ninjected"), "principal has a control");
        rejected(b -> b.setPrincipal("admin\u001b[31m"), "principal has a control");
        rejected(b -> b.setPrincipal("admin\u202eroc"), "principal has a control, format");
        rejected(b -> b.setPrincipal("bad\ud800"), "unpaired surrogate");
    }

    @Test
    void aPrintablePrincipalWithSpacesAndNonAsciiIsAccepted() {
        assertTrue(validator
                .validate(
                        fleet,
                        good.toBuilder()
                                .setPrincipal("Zoë Ops (night) \ud83d\ude00")
                                .build())
                .isOk());
    }

    @Test
    void aMissingOrMalformedViaNodeIsRejected() {
        rejected(b -> b.clearViaNode(), "via_node \"\" is not a peer id");
        rejected(b -> b.setViaNode("-lb1"), "is not a peer id");
        rejected(b -> b.setViaNode("lb 1"), "is not a peer id");
        rejected(b -> b.setViaNode("l".repeat(BatchLimits.MAX_VIA_NODE + 1)), "is not a peer id");
    }

    @Test
    void aViaNodeThatIsNotAPeerOfTheSettingsIsRejected() {
        rejected(b -> b.setViaNode("rogue"), "is not a peer of this fleet");
    }

    @Test
    void aFleetAtVersion1AppliesWhatOlderSoftwareApplies() {
        // Control: the checks are a rule of fleet version 2, so replicas on older software never disagree.
        FleetImage v1 = bootstrapped(1);
        assertTrue(validator
                .validate(
                        v1,
                        good.toBuilder()
                                .setViaNode("rogue")
                                .setTimestampMillis(0)
                                .build())
                .isOk());
    }

    @Test
    void aTimestampAtOrBeforeTheEpochIsRejected() {
        rejected(b -> b.setTimestampMillis(0), "timestamp_millis is 0");
        rejected(b -> b.setTimestampMillis(-5), "timestamp_millis is -5");
    }

    @Test
    void aMissingOrMalformedRequestIdIsRejected() {
        rejected(b -> b.clearRequestId(), "request_id is 0 characters");
        rejected(b -> b.setRequestId("r".repeat(BatchLimits.MAX_REQUEST_ID + 1)), "request_id is 129 characters");
        rejected(b -> b.setRequestId("req 1"), "not printable ASCII at position 3");
    }

    private void rejected(UnaryOperator<CommandBatch.Builder> change, String expected) {
        CommandBatch batch = change.apply(good.toBuilder()).build();
        Rejection r = validator
                .validate(fleet, batch)
                .rejection()
                .orElseThrow(() -> new AssertionError("accepted: " + batch));
        assertEquals(ErrorCode.INVALID_ARGUMENT, r.code());
        assertEquals(-1, r.commandIndex());
        assertTrue(r.message().contains(expected), r.message());
    }

    private static FleetImage bootstrapped(int fleetVersion) {
        FleetLimits roomy = FleetLimits.builder().maxVips(4096).build();
        return new BatchApplier(new CommandValidator())
                .apply(FleetImage.EMPTY, Commands.batch(Commands.bootstrap(roomy, fleetVersion)), new Provenance(1, 1))
                .image();
    }

    private static VipKey tcpVip(String address, int port) {
        return Commands.vip(address, port, Protocol.TCP);
    }
}
