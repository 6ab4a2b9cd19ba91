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

    public CommandLog() {
        this(FleetLimits.DEFAULT);
    }

    public CommandLog(FleetLimits limits) {
        this.applier = new BatchApplier(new CommandValidator(limits));
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
