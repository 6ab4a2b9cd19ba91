package io.ringfleet.chaos.netns;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.SetFleetSettings;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A log in this process, without replication: applies command batches with the same
 * {@link BatchApplier} every agent's state machine uses, one entry per batch (term 1, index 1, 2, ...), and
 * keeps the resulting {@link FleetImage}. Every LB is then programmed from that one image, which is what the
 * log guarantees the agents (equal index, equal image). A rejected batch throws with the validator's message.
 */
public final class LocalFleetLog {
    private final BatchApplier applier;
    private FleetImage image = FleetImage.EMPTY;

    /**
     * A log whose first entry bootstraps the fleet settings of {@code limits} (validation reads limits from the
     * log only) at fleet version 1, the rules this log applied before fleet versions; its one peer, "local",
     * stands for this process.
     */
    public LocalFleetLog(FleetLimits limits) {
        this(limits, List.of("local"), 1);
    }

    /**
     * A log whose first entry bootstraps the fleet settings of {@code limits} with these peers (node ids; drains must
     * name one from fleet version 3 on) at this fleet version, as the agents bootstrap theirs: from version 4 on
     * replay keeps ring histories (default depth 1) and a real that left a ring stays in the reals table while a
     * history names it, so a model of a version 4 fleet must run at version 4 too.
     */
    public LocalFleetLog(FleetLimits limits, List<String> peerIds, int fleetVersion) {
        this.applier = new BatchApplier(new CommandValidator());
        List<FleetPeer> peers = new ArrayList<>();
        for (int i = 0; i < peerIds.size(); i++) {
            // addresses are never dialled: this log has no replication
            peers.add(new FleetPeer(peerIds.get(i), "127.0.0.1:" + (2 * i + 1), "127.0.0.1:" + (2 * i + 2), ""));
        }
        FleetSettings settings = FleetSettings.of(Objects.requireNonNull(limits, "limits"), peers);
        submit(
                "bootstrap",
                List.of(Command.newBuilder()
                        .setSetFleetSettings(SetFleetSettings.newBuilder()
                                .setSettings(settings.toProto())
                                .setBootstrap(true)
                                .setFleetVersion(fleetVersion))
                        .build()));
    }

    /** Applies one batch as the next entry; returns the new image. */
    public synchronized FleetImage submit(String requestId, List<Command> commands) {
        CommandBatch batch = CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal("demo")
                .setViaNode("lb1")
                .setRequestId(requestId)
                .setTimestampMillis(System.currentTimeMillis())
                .build();
        BatchApplier.Applied applied = applier.apply(image, batch, new Provenance(1, image.index() + 1));
        if (!applied.result().isOk()) {
            throw new IllegalStateException("batch " + requestId + " rejected: "
                    + applied.result().rejection().orElseThrow().message());
        }
        image = applied.image();
        return image;
    }

    public synchronized FleetImage image() {
        return image;
    }
}
