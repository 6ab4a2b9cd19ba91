package io.ringfleet.state.command;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.FleetLimits;
import java.util.Objects;

/**
 * Writes the fleet's defaults into a batch before it enters the log, so that applying the entry never consults
 * them: a replica that replays the entry later, under another config, does what every replica did. Today the
 * one default is the hash function of an AddVip without one ({@link FleetLimits#defaultHashFunction()}).
 * Validation ({@code VipRules.add}) applies the same default to entries logged without it (by earlier builds).
 */
public final class BatchDefaults {
    private BatchDefaults() {}

    /** {@code batch} with the defaults filled in; {@code batch} itself when nothing was missing. */
    public static CommandBatch resolve(CommandBatch batch, FleetLimits limits) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(limits, "limits");
        CommandBatch.Builder resolved = null;
        for (int i = 0; i < batch.getCommandsCount(); i++) {
            Command c = batch.getCommands(i);
            if (c.hasAddVip() && !c.getAddVip().hasHashFunction()) {
                if (resolved == null) {
                    resolved = batch.toBuilder();
                }
                resolved.setCommands(
                        i,
                        c.toBuilder()
                                .setAddVip(c.getAddVip().toBuilder()
                                        .setHashFunction(
                                                limits.defaultHashFunction().toProto())));
            }
        }
        return resolved == null ? batch : resolved.build();
    }
}
