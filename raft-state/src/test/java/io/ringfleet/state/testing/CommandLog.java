package io.ringfleet.state.testing;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandResult;
import io.ringfleet.state.command.CommandValidator;
import java.util.ArrayList;
import java.util.List;

/**
 * A fleet log in this JVM: each batch is one entry (term 1, next index), validated and applied by raft-state's
 * BatchApplier and handed to the publishers as the Ratis state machine does (a rejected batch too: same state,
 * next index). Batches built here are stamped with {@link Commands#PRINCIPAL} (or {@link #as}), request id
 * "req-" + their index.
 */
public class CommandLog {
    private final BatchApplier applier;
    private final List<FleetPublisher> publishers = new ArrayList<>();
    private String principal = Commands.PRINCIPAL;
    private FleetImage image = FleetImage.EMPTY;
    private long index;

    /** An empty log: no fleet settings (the built-in default limits, fleet version 1 rules). */
    public CommandLog() {
        this.applier = new BatchApplier(new CommandValidator());
    }

    /**
     * A log whose first entry (index 1) bootstraps the fleet settings of {@code limits} and {@link
     * Commands#PEERS} at fleet version 1: validation reads limits from the log only.
     */
    public CommandLog(FleetLimits limits) {
        this(limits, 1);
    }

    /** A log whose first entry bootstraps {@code limits} and {@link Commands#PEERS} at {@code fleetVersion}. */
    public CommandLog(FleetLimits limits, int fleetVersion) {
        this();
        apply(Commands.bootstrap(limits, fleetVersion));
    }

    /** Stamps the next batches with {@code principal}. */
    public final CommandLog as(String principal) {
        this.principal = principal;
        return this;
    }

    public final CommandLog publishTo(FleetPublisher publisher) {
        publishers.add(publisher);
        return this;
    }

    public final FleetImage image() {
        return image;
    }

    /** Applies and returns the result, whatever it is. */
    public final CommandResult submit(CommandBatch batch) {
        BatchApplier.Applied applied = applier.apply(image, batch, new Provenance(1, ++index));
        image = applied.image();
        for (FleetPublisher p : publishers) {
            p.publish(applied.delta(), image);
        }
        return applied.result();
    }

    public final CommandResult submit(Command... commands) {
        return submit(Commands.batch(principal, "req-" + (index + 1), commands));
    }

    /** Applies one batch, expecting success: fails the test when it is rejected. */
    public final FleetImage apply(Command... commands) {
        CommandResult r = submit(commands);
        if (!r.isOk()) {
            throw new AssertionError("batch " + index + " rejected: " + r);
        }
        return image;
    }
}
