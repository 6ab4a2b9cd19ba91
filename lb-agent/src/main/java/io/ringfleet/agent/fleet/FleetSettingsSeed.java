package io.ringfleet.agent.fleet;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.ReportNodeVersion;
import io.ringfleet.api.SetFleetSettings;
import io.ringfleet.config.FleetConfig;
import io.ringfleet.config.PeerConfig;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.raft.RaftTimings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node's local config contributes to the fleet settings: only the seed of the first bootstrap. The
 * settings in force are the log's; a config that disagrees is reported ({@link #mismatch}), never applied.
 *
 * <ul>
 *   <li>At start the agent submits {@link #startCommands}: the set-if-absent bootstrap of its config's settings at
 *       the highest fleet version its software supports (a no-op once any bootstrap is logged), and its supported
 *       version when the log says otherwise (edge-triggered).
 *   <li>The first write through the API cannot be validated against the built-in defaults: while this node's
 *       image holds no settings, {@link #prepend} puts the bootstrap in front of the batch (set-if-absent, so it
 *       is a no-op if another node's bootstrap was logged first) and {@link #strip} takes its records and its
 *       position out of the reply, so the caller sees the answer to what it sent.
 * </ul>
 */
public final class FleetSettingsSeed {
    private final FleetSettings local;
    private final int supportedVersion;

    public FleetSettingsSeed(FleetSettings local, int supportedVersion) {
        this.local = Objects.requireNonNull(local, "local");
        this.supportedVersion = supportedVersion;
    }

    /**
     * The settings of a fleet config: its limits, its peers (Raft, API, metrics addresses) and, for software of
     * fleet version 4 or later ({@link FleetVersions.Rule#RAFT_TIMINGS}), its {@code raft} section's timings.
     */
    public static FleetSettings fromConfig(FleetConfig config, int supportedVersion) {
        List<FleetPeer> peers = new ArrayList<>();
        for (PeerConfig p : config.peers()) {
            peers.add(new FleetPeer(
                    p.id(),
                    p.raftAddress().toString(),
                    p.apiAddress().toString(),
                    config.node(p.id()).metricsAddress().toString()));
        }
        RaftTimings timings = supportedVersion >= FleetVersions.Rule.RAFT_TIMINGS.version()
                ? config.raftTimings()
                : RaftTimings.DEFAULT; // older software has no such settings: it seeds what it knows
        return FleetSettings.of(config.limits(), peers, timings);
    }

    public int supportedVersion() {
        return supportedVersion;
    }

    public FleetSettings local() {
        return local;
    }

    /** The set-if-absent bootstrap of the local settings at this software's fleet version. */
    public Command bootstrap() {
        return Command.newBuilder()
                .setSetFleetSettings(SetFleetSettings.newBuilder()
                        .setSettings(local.toProto())
                        .setBootstrap(true)
                        .setFleetVersion(supportedVersion))
                .build();
    }

    /** What {@code nodeId} submits at start against {@code image}: the bootstrap if needed, its version if new. */
    public List<Command> startCommands(FleetImage image, String nodeId) {
        List<Command> out = new ArrayList<>();
        if (image.settings().settings().isEmpty()) {
            out.add(bootstrap());
        }
        if (!image.settings().nodeVersion(nodeId).equals(Optional.of(supportedVersion))) {
            out.add(Command.newBuilder()
                    .setReportNodeVersion(
                            ReportNodeVersion.newBuilder().setNodeId(nodeId).setSupportedVersion(supportedVersion))
                    .build());
        }
        return out;
    }

    /**
     * The local settings that differ from the log's, "name: config X, log Y; ..."; empty when they agree or while
     * the log holds none.
     */
    public String mismatch(FleetImage image) {
        return image.settings()
                .settings()
                .map(log -> local.differences(log, "config", "log"))
                .orElse("");
    }

    /** True when {@link #prepend} would add the bootstrap to a batch applied over {@code image}. */
    public boolean needsBootstrap(FleetImage image, CommandBatch batch) {
        return image.settings().settings().isEmpty()
                && !(batch.getCommandsCount() > 0 && batch.getCommands(0).hasSetFleetSettings());
    }

    /** {@code batch} with the bootstrap in front. */
    public CommandBatch prepend(CommandBatch batch) {
        return batch.toBuilder()
                .clearCommands()
                .addCommands(bootstrap())
                .addAllCommands(batch.getCommandsList())
                .build();
    }

    /** The reply to a prepended batch as the reply to the batch the caller sent. */
    public static BatchReply strip(BatchReply reply) {
        BatchReply.Builder b = reply.toBuilder().clearRecords();
        boolean head = true;
        for (FleetRecord r : reply.getRecordsList()) {
            // The bootstrap's records come first: the settings, then the finalised version.
            if (head && (r.hasFleetSettingsSet() || r.hasFleetVersionFinalized())) {
                continue;
            }
            head = false;
            b.addRecords(r);
        }
        if (reply.getFailedCommandIndex() > 0) {
            b.setFailedCommandIndex(reply.getFailedCommandIndex() - 1);
        }
        return b.build();
    }
}
