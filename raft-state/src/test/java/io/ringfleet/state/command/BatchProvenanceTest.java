package io.ringfleet.state.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.testing.Commands;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The batch as a whole, checked by the state machine whatever the API did: size ({@link BatchLimits}) and
 * provenance (principal, via-node, time, request id). Each case starts from a batch that is accepted, so a
 * rejection is caused by the one field the case changes.
 */
class BatchProvenanceTest {
    private final CommandValidator validator = new CommandValidator(FleetLimits.DEFAULT);
    private final VipKey vip = tcpVip("10.0.0.1", 80);
    private final CommandBatch good = Commands.batch(Commands.addVip(vip));

    @Test
    void theBaselineBatchIsAccepted() {
        assertTrue(validator.validate(FleetImage.EMPTY, good).isOk());
    }

    @Test
    void moreThanTheMaximumCommandsIsRejectedAsAWhole() {
        CommandBatch.Builder b = good.toBuilder().clearCommands();
        for (int i = 0; i <= BatchLimits.MAX_COMMANDS; i++) {
            b.addCommands(Commands.addVip(tcpVip("10.1." + (i / 250) + "." + (i % 250 + 1), 80)));
        }
        BatchApplier.Applied applied = new BatchApplier(
                        new CommandValidator(FleetLimits.builder().maxVips(4096).build()))
                .apply(FleetImage.EMPTY, b.build(), new Provenance(1, 1));
        Rejection r = applied.result().rejection().orElseThrow();
        assertEquals(ErrorCode.INVALID_ARGUMENT, r.code());
        assertEquals(-1, r.commandIndex(), "the batch, not one command, is rejected");
        assertTrue(r.message().contains("at most " + BatchLimits.MAX_COMMANDS), r.message());
        assertTrue(applied.image().sameStateAs(FleetImage.EMPTY), "nothing of it was applied");
    }

    @Test
    void exactlyTheMaximumCommandsIsAccepted() {
        CommandBatch.Builder b = good.toBuilder().clearCommands();
        for (int i = 0; i < BatchLimits.MAX_COMMANDS; i++) {
            b.addCommands(Commands.addVip(tcpVip("10.1." + (i / 250) + "." + (i % 250 + 1), 80)));
        }
        CommandValidator roomy =
                new CommandValidator(FleetLimits.builder().maxVips(4096).build());
        assertTrue(roomy.validate(FleetImage.EMPTY, b.build()).isOk());
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
                        FleetImage.EMPTY,
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
    void aViaNodeTheRosterDoesNotAdmitIsRejected() {
        PeerRoster lb1ToLb3 = (image, id) -> Set.of("lb1", "lb2", "lb3").contains(id);
        CommandValidator strict = new CommandValidator(FleetLimits.DEFAULT, lb1ToLb3);
        assertTrue(strict.validate(FleetImage.EMPTY, good).isOk());
        Rejection r = strict.validate(
                        FleetImage.EMPTY, good.toBuilder().setViaNode("rogue").build())
                .rejection()
                .orElseThrow();
        assertTrue(r.message().contains("is not a peer of this fleet"), r.message());
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
                .validate(FleetImage.EMPTY, batch)
                .rejection()
                .orElseThrow(() -> new AssertionError("accepted: " + batch));
        assertEquals(ErrorCode.INVALID_ARGUMENT, r.code());
        assertEquals(-1, r.commandIndex());
        assertTrue(r.message().contains(expected), r.message());
    }

    private static VipKey tcpVip(String address, int port) {
        return Commands.vip(address, port, Protocol.TCP);
    }
}
