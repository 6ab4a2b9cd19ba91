package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;

import io.ringfleet.api.FinalizeFleetVersion;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.FleetSettingsSet;
import io.ringfleet.api.FleetVersionFinalized;
import io.ringfleet.api.NodeVersionReported;
import io.ringfleet.api.ReportNodeVersion;
import io.ringfleet.api.SetFleetSettings;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.SettingsImage;
import io.ringfleet.state.raft.RaftTimings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fleet settings and the fleet version: set_fleet_settings, report_node_version, finalize_fleet_version.
 *
 * <ul>
 *   <li>Settings are whole and well formed ({@link FleetSettings#of}: limits in range, ring size the datapath's,
 *       peers well formed and listed once), and no limit is below what the state already uses (a vip_num, a
 *       real index, the health-check destinations, a QUIC server id). Setting the settings the log holds emits
 *       nothing.
 *   <li>Bootstrap is set-if-absent: with settings in the log it emits nothing (any node may submit its config's
 *       settings at start; the first logged wins). Without, it sets them and finalises {@code fleet_version}.
 *       A non-bootstrap change needs the bootstrap first.
 *   <li>A node reports the highest version its software supports; it must be a peer of the settings, and
 *       reporting what the log already says emits nothing.
 *   <li>Finalising v needs v = finalised + 1 (one version at a time, never back; v = finalised emits nothing)
 *       and every peer of the settings to have reported support for at least v.
 * </ul>
 *
 * A version above what the applying software supports is not a rejection: {@link BatchApplier} stops the
 * replica, as it cannot apply the rules of that version.
 */
final class SettingsRules {
    private SettingsRules() {}

    static void set(CommandContext ctx, SetFleetSettings c) throws Reject {
        SettingsImage current = ctx.state().settingsAfter();
        FleetSettings next = settings(c);
        if (c.getBootstrap()) {
            if (current.settings().isPresent()) {
                return; // set if absent: the first bootstrap logged wins, later ones are no-ops
            }
            if (c.getFleetVersion() < 1) {
                throw invalid("bootstrap fleet_version must be at least 1 (the version the fleet starts at), got "
                        + c.getFleetVersion());
            }
        } else if (current.settings().isEmpty()) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "the fleet has no settings yet: they are set first by a bootstrap (every agent submits one at"
                            + " start)");
        } else if (c.getFleetVersion() != 0) {
            throw invalid("fleet_version is for a bootstrap only: finalise a version with finalize_fleet_version");
        }
        if (next.setsHealth() && !ctx.enforces(FleetVersions.Rule.HEALTH_VERDICTS)) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "fleet settings: the health settings (health_quorum, health_panic_percent, health_flap_limit,"
                            + " health_half_life_ms) need fleet version " + FleetVersions.Rule.HEALTH_VERDICTS.version()
                            + " but the fleet's finalised version is " + ctx.fleetVersion()
                            + ": upgrade every node and finalise version "
                            + FleetVersions.Rule.HEALTH_VERDICTS.version() + " first");
        }
        checkRaftTimingsAllowed(ctx, c, next);
        if (next.toProto().getRingHistoryDepth() != 0 && !ctx.enforces(FleetVersions.Rule.RING_HISTORY)) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "fleet settings: ring_history_depth needs fleet version "
                            + FleetVersions.Rule.RING_HISTORY.version() + " ("
                            + FleetVersions.Rule.RING_HISTORY.description() + ") but the fleet's finalised version is "
                            + ctx.fleetVersion() + ": upgrade every node and finalise version "
                            + FleetVersions.Rule.RING_HISTORY.version() + " first");
        }
        checkNotBelowUse(ctx.state(), next.limits());
        if (!current.settings().equals(Optional.of(next))) {
            ctx.emit(FleetRecord.newBuilder()
                    .setFleetSettingsSet(FleetSettingsSet.newBuilder().setSettings(next.toProto())));
        }
        if (c.getBootstrap()) {
            ctx.emit(FleetRecord.newBuilder()
                    .setFleetVersionFinalized(FleetVersionFinalized.newBuilder().setVersion(c.getFleetVersion())));
        }
    }

    static void reportNodeVersion(CommandContext ctx, ReportNodeVersion c) throws Reject {
        SettingsImage current = ctx.state().settingsAfter();
        if (!FleetPeer.NODE_ID.matcher(c.getNodeId()).matches()) {
            throw invalid("node id " + Reject.quote(c.getNodeId()) + " is not 1..128 characters of [A-Za-z0-9._-]");
        }
        if (c.getSupportedVersion() < 1) {
            throw invalid("supported_version must be at least 1, got " + c.getSupportedVersion());
        }
        if (!current.settings().map(s -> s.hasPeer(c.getNodeId())).orElse(false)) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "node " + c.getNodeId() + " is not a peer of the fleet settings"
                            + (current.settings().isEmpty() ? " (the log holds no settings yet)" : "")
                            + ": only peers report versions");
        }
        if (c.getSupportedVersion() < current.fleetVersion()) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "node " + c.getNodeId() + " reports support up to fleet version " + c.getSupportedVersion()
                            + ", below the finalised fleet version " + current.fleetVersion()
                            + ": a finalised version is never given up");
        }
        if (!current.nodeVersion(c.getNodeId()).equals(Optional.of(c.getSupportedVersion()))) {
            ctx.emit(FleetRecord.newBuilder()
                    .setNodeVersionReported(NodeVersionReported.newBuilder()
                            .setNodeId(c.getNodeId())
                            .setSupportedVersion(c.getSupportedVersion())));
        }
    }

    static void finalizeVersion(CommandContext ctx, FinalizeFleetVersion c) throws Reject {
        SettingsImage current = ctx.state().settingsAfter();
        if (current.settings().isEmpty()) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "the fleet has no settings yet: a bootstrap finalises the first fleet version");
        }
        int finalised = current.fleetVersion();
        int v = c.getVersion();
        if (v == finalised) {
            return;
        }
        if (v != finalised + 1) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "fleet version " + v + " cannot be finalised: the finalised version is " + finalised
                            + " and versions are finalised one at a time (next: " + (finalised + 1)
                            + "), never back");
        }
        List<String> behind = new ArrayList<>();
        for (FleetPeer peer : current.settings().get().peers()) {
            Optional<Integer> reported = current.nodeVersion(peer.id());
            if (reported.isEmpty() || reported.get() < v) {
                behind.add(peer.id() + " (" + reported.map(r -> "supports " + r).orElse("not reported") + ")");
            }
        }
        if (!behind.isEmpty()) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "fleet version " + v + " cannot be finalised: every peer must report support for it first;"
                            + " not yet: " + String.join(", ", behind));
        }
        ctx.emit(FleetRecord.newBuilder()
                .setFleetVersionFinalized(FleetVersionFinalized.newBuilder().setVersion(v)));
    }

    private static FleetSettings settings(SetFleetSettings c) throws Reject {
        if (!c.hasSettings()) {
            throw invalid("set_fleet_settings needs settings (limits, ring size, default hash function, peers)");
        }
        try {
            return FleetSettings.of(c.getSettings());
        } catch (IllegalArgumentException e) {
            throw invalid("fleet settings: " + e.getMessage());
        }
    }

    /**
     * Raft timings other than the defaults need {@link FleetVersions.Rule#RAFT_TIMINGS}: in force, or finalised by
     * this very bootstrap (a fresh fleet of new software starts at its version, and its first settings come from
     * a config). Every replica decides alike: both versions are in the log.
     */
    private static void checkRaftTimingsAllowed(CommandContext ctx, SetFleetSettings c, FleetSettings next)
            throws Reject {
        FleetVersions.Rule rule = FleetVersions.Rule.RAFT_TIMINGS;
        int version = c.getBootstrap() ? Math.max(ctx.fleetVersion(), c.getFleetVersion()) : ctx.fleetVersion();
        if (next.setsRaftTimings() && version < rule.version()) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "fleet settings: the Raft timings (election_timeout_min_ms, election_timeout_max_ms,"
                            + " raft_request_timeout_ms, pre_vote_off) need fleet version " + rule.version()
                            + " but the fleet's " + (c.getBootstrap() ? "bootstrap version" : "finalised version")
                            + " is " + version + ": upgrade every node and finalise version " + rule.version()
                            + " first, or leave them at the defaults ("
                            + RaftTimings.DEFAULT + ")");
        }
    }

    /** No limit below what the state already holds: the state would not fit the settings. */
    private static void checkNotBelowUse(FleetDelta state, FleetLimits limits) throws Reject {
        var vips = state.vipsAfter().vipNums();
        if (!vips.isEmpty() && vips.last() >= limits.maxVips()) {
            throw belowUse("max_vips " + limits.maxVips(), "vip_num " + vips.last() + " is in use");
        }
        var reals = state.realsAfter().indexes();
        if (!reals.isEmpty() && reals.last() > limits.maxRealIndex()) {
            throw belowUse("max_reals " + limits.maxReals(), "real index " + reals.last() + " is in use");
        }
        int marks = state.healthChecksAfter().size();
        if (marks > limits.maxHealthCheckDsts()) {
            throw belowUse(
                    "max_health_check_dsts " + limits.maxHealthCheckDsts(),
                    marks + " health-check destinations are set");
        }
        var ids = state.quicIdsAfter().byId();
        if (!ids.isEmpty() && ids.lastKey() > limits.maxQuicServerId()) {
            throw belowUse(
                    "max_quic_server_id " + limits.maxQuicServerId(), "quic server id " + ids.lastKey() + " is mapped");
        }
    }

    private static Reject belowUse(String setting, String use) {
        return new Reject(
                ErrorCode.FAILED_PRECONDITION,
                "fleet settings: " + setting + " is below what the fleet uses (" + use
                        + "): a limit may not go below the state; remove what is above it first");
    }
}
