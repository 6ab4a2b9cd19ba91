package io.ringfleet.state.command;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import java.util.ArrayList;
import java.util.List;

/**
 * What one command of a batch is checked against, handed to every domain's rules: the state the batch's
 * earlier commands left (the image plus their records, read through the batch's delta: no image is built
 * per command), the batch itself (principal and timestamp, stamped at the API edge), the limits and the fleet
 * version in force (both from the settings in that state, never from a node's config), the command's
 * real-index allocation, and the records the command emits.
 */
final class CommandContext {
    private final FleetDelta state;
    private final CommandBatch batch;
    private final FleetLimits limits;
    private final int fleetVersion;
    private final NewRealIndexes realIndexes;
    private final List<FleetRecord> records = new ArrayList<>();

    CommandContext(FleetDelta state, CommandBatch batch) {
        this.state = state;
        this.batch = batch;
        // Before the log holds settings, the built-in defaults: equal on every replica, whatever its config.
        this.limits =
                state.settingsAfter().settings().map(FleetSettings::limits).orElse(FleetLimits.DEFAULT);
        this.fleetVersion = FleetVersions.inForce(state.settingsAfter().fleetVersion());
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

    /** The fleet version whose rules are in force (the finalised one; {@link FleetVersions#BASE} before). */
    int fleetVersion() {
        return fleetVersion;
    }

    /** True when the fleet finalised the version that introduced {@code rule}. */
    boolean enforces(FleetVersions.Rule rule) {
        return fleetVersion >= rule.version();
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
