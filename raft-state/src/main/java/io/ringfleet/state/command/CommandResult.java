package io.ringfleet.state.command;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.ReplyCode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What validating a batch gave (Kafka's ControllerResult shape): the records to replay and the reply.
 * Changes nothing by itself. Rejected results carry no record: a batch is all or nothing.
 */
public final class CommandResult {
    private final List<FleetRecord> records;
    private final Rejection rejection;

    private CommandResult(List<FleetRecord> records, Rejection rejection) {
        this.records = records;
        this.rejection = rejection;
    }

    public static CommandResult ok(List<FleetRecord> records) {
        return new CommandResult(List.copyOf(records), null);
    }

    public static CommandResult rejected(Rejection rejection) {
        return new CommandResult(List.of(), Objects.requireNonNull(rejection, "rejection"));
    }

    public boolean isOk() {
        return rejection == null;
    }

    /** Records to replay, in order; empty when rejected (and possibly when every command was a no-op). */
    public List<FleetRecord> records() {
        return records;
    }

    public Optional<Rejection> rejection() {
        return Optional.ofNullable(rejection);
    }

    /** The reply for the caller, once the entry's log index and the resulting state index are known. */
    public BatchReply toReply(long logIndex, long stateIndex) {
        BatchReply.Builder b = BatchReply.newBuilder().setLogIndex(logIndex).setStateIndex(stateIndex);
        if (rejection == null) {
            return b.setCode(ReplyCode.OK)
                    .setFailedCommandIndex(-1)
                    .addAllRecords(records)
                    .build();
        }
        return b.setCode(rejection.code().toProto())
                .setMessage(rejection.message())
                .setFailedCommandIndex(rejection.commandIndex())
                .build();
    }

    @Override
    public String toString() {
        return rejection == null ? "OK " + records.size() + " records" : rejection.toString();
    }
}
