package io.ringfleet.state.command;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * What one command of a batch is checked against, handed to every domain's rules: the state the batch's
 * earlier commands left (the image plus their records, read through the batch's delta: no image is built
 * per command), the batch itself (principal and timestamp, stamped at the API edge), the limits, the
 * command's real-index allocation, and the records the command emits.
 */
final class CommandContext {
    private final FleetDelta state;
    private final CommandBatch batch;
    private final FleetLimits limits;
    private final NewRealIndexes realIndexes;
    private final List<FleetRecord> records = new ArrayList<>();

    CommandContext(FleetDelta state, CommandBatch batch, FleetLimits limits) {
        this.state = state;
        this.batch = batch;
        this.limits = limits;
        this.realIndexes = new NewRealIndexes(state, limits);
    }

    /** The state after the batch's earlier commands: read its {@code ...After()} views, never replay into it. */
    FleetDelta state() {
        return state;
    }

    CommandBatch batch() {
        return batch;
    }

    FleetLimits limits() {
        return limits;
    }

    NewRealIndexes realIndexes() {
        return realIndexes;
    }

    void emit(FleetRecord.Builder record) {
        records.add(record.build());
    }

    /** What the command emitted, in order; {@link CommandValidator} replays them once the command passed. */
    List<FleetRecord> records() {
        return records;
    }
}
