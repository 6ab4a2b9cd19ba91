package io.ringfleet.state.command;

import io.ringfleet.api.BatchAudited;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.UnsupportedFleetVersionException;
import java.util.Objects;

/**
 * One log entry's whole transition: validate the batch against the current image, replay the records
 * into a delta, apply it at the entry's (term, index). What a state machine's applyTransaction does,
 * minus decoding and IO. A rejected batch still yields the next image: same state, new provenance.
 *
 * <p>A fleet version above what the validator supports, in the image or reached by the entry (a bootstrap or
 * a finalisation), throws {@link UnsupportedFleetVersionException}: this replica cannot apply that version's
 * rules, and applying older ones would diverge from the fleet.
 *
 * <p>Every batch, applied or rejected, adds its entry to the image's audit trail ({@link io.ringfleet.state.HistoryImage}).
 */
public final class BatchApplier {
    private final CommandValidator validator;

    public BatchApplier(CommandValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /** The result, the delta (for publishers) and the next image. */
    public record Applied(CommandResult result, FleetDelta delta, FleetImage image) {}

    /**
     * @param at term and index of the entry that carried the batch; the index must be above the current one
     */
    public Applied apply(FleetImage current, CommandBatch batch, Provenance at) {
        if (at.index() <= current.index() && !current.provenance().equals(Provenance.EMPTY)) {
            throw new IllegalArgumentException(
                    "entry index " + at.index() + " is not after the image's " + current.index());
        }
        checkSupported(current, at, "the image before it is at");
        // The validator replays every record into one delta as it checks the batch: that delta is applied as is.
        CommandValidator.Checked checked = validator.check(current, batch);
        FleetDelta delta = checked.delta();
        checkSupported(delta.settingsAfter().fleetVersion(), at, "it finalises");
        delta.replay(FleetRecord.newBuilder()
                .setBatchAudited(audited(batch, at, checked.result()))
                .build());
        return new Applied(checked.result(), delta, delta.apply(at));
    }

    /**
     * The audit-trail entry of this batch, applied or rejected: rejected batches are in the trail too, since what
     * was refused (a forged or oversized entry, a bad change) is what an audit looks for. Their entry changes only
     * the history, never the state: the state index and the digest stay as they were.
     */
    static BatchAudited audited(CommandBatch batch, Provenance at, CommandResult result) {
        BatchAudited.Builder b = BatchAudited.newBuilder()
                .setLogIndex(at.index())
                .setTerm(at.term())
                .setPrincipal(batch.getPrincipal())
                .setViaNode(batch.getViaNode())
                .setTimestampMillis(batch.getTimestampMillis())
                .setRequestId(batch.getRequestId())
                .setCommandCount(batch.getCommandsCount())
                .setCode(ReplyCode.OK)
                .setFailedCommandIndex(-1);
        result.rejection()
                .ifPresent(r ->
                        b.setCode(r.code().toProto()).setMessage(r.message()).setFailedCommandIndex(r.commandIndex()));
        return b.build();
    }

    private void checkSupported(FleetImage image, Provenance at, String where) {
        checkSupported(image.settings().fleetVersion(), at, where);
    }

    private void checkSupported(int version, Provenance at, String where) {
        if (version > validator.supportedVersion()) {
            throw new UnsupportedFleetVersionException("log entry " + at.index() + " (term " + at.term() + "): "
                    + where + " fleet version " + version + ", but this software supports fleet versions up to "
                    + validator.supportedVersion() + "; upgrade this node's software before it applies the log");
        }
    }
}
