package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.FinalizeFleetVersion;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.GetFleetSettingsRequest;
import io.ringfleet.api.GetFleetSettingsResponse;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.NodeVersion;
import io.ringfleet.api.PeerSpec;
import io.ringfleet.api.SetFleetSettings;
import io.ringfleet.state.raft.RaftTimings;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lbctl settings ...}: the fleet settings the log holds, a change of them, the fleet version. */
@picocli.CommandLine.Command(
        name = "settings",
        description = "Show or change the fleet settings in the log; finalise a fleet version.",
        subcommands = {SettingsCommands.Show.class, SettingsCommands.Set.class, SettingsCommands.Finalize.class})
final class SettingsCommands {
    private SettingsCommands() {}

    /** The settings as the answering node's image holds them, as of the leader's commit index. */
    static GetFleetSettingsResponse read(ApiConnection api) {
        return api.control().getFleetSettings(GetFleetSettingsRequest.getDefaultInstance());
    }

    @picocli.CommandLine.Command(
            name = "show",
            description = "Limits, default hash function, ring size, peers, fleet version, node versions, digest.")
    static final class Show extends ApiCommand {
        @Override
        int run(ApiConnection api, Output out) {
            GetFleetSettingsResponse r = read(api);
            if (out.json()) {
                out.json(r);
            } else {
                print(r, out);
            }
            return ExitCodes.OK;
        }

        private static void print(GetFleetSettingsResponse r, Output out) {
            if (!r.hasSettings()) {
                out.line("the log holds no fleet settings yet (every agent submits its config's at start)");
                return;
            }
            FleetSettingsSpec s = r.getSettings();
            Output.Table limits = out.table("SETTING", "VALUE");
            limits.row("max_vips", Integer.toUnsignedString(s.getMaxVips()));
            limits.row("max_reals", Integer.toUnsignedString(s.getMaxReals()));
            limits.row("max_health_check_dsts", Integer.toUnsignedString(s.getMaxHealthCheckDsts()));
            limits.row("max_quic_server_id", Long.toUnsignedString(s.getMaxQuicServerId()));
            limits.row("default_hash_function", hashName(s.getDefaultHashFunction()));
            limits.row("ring_size", Integer.toUnsignedString(s.getRingSize()));
            RaftTimings d = RaftTimings.DEFAULT;
            limits.row("election_timeout_min_ms", millis(s.getElectionTimeoutMinMs(), d.electionTimeoutMin()));
            limits.row("election_timeout_max_ms", millis(s.getElectionTimeoutMaxMs(), d.electionTimeoutMax()));
            limits.row("raft_request_timeout_ms", millis(s.getRaftRequestTimeoutMs(), d.requestTimeout()));
            limits.row("pre_vote", s.getPreVoteOff() ? "off" : "on");
            limits.row("fleet_version", r.getFleetVersion());
            limits.row(
                    "settings_digest",
                    HexFormat.of().formatHex(r.getSettingsDigest().toByteArray()));
            limits.print();
            out.line("");
            Output.Table peers = out.table("PEER", "RAFT", "API", "METRICS", "SUPPORTS");
            for (PeerSpec p : s.getPeersList()) {
                peers.row(
                        p.getId(),
                        p.getRaftAddress(),
                        p.getApiAddress(),
                        p.getMetricsAddress().isEmpty() ? "-" : p.getMetricsAddress(),
                        reported(r.getNodeVersionsList(), p.getId()));
            }
            peers.print();
        }

        /** A Raft timing as the log holds it: 0 is the default, shown with its value. */
        private static String millis(int unsignedMillis, Duration byDefault) {
            return unsignedMillis == 0 ? byDefault.toMillis() + " (default)" : Integer.toUnsignedString(unsignedMillis);
        }

        /** The fleet version a node reported its software supports, or "not reported". */
        private static String reported(List<NodeVersion> versions, String id) {
            return versions.stream()
                    .filter(v -> v.getNodeId().equals(id))
                    .map(v -> "v" + v.getSupportedVersion())
                    .findFirst()
                    .orElse("not reported");
        }
    }

    static String hashName(HashFunction h) {
        return h.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Read-modify-write of the settings: reads them, changes the named fields and sends them whole as one
     * set_fleet_settings, applied only if the state is still at the index it read (or at --expect-state-index),
     * so a change made meanwhile is refused (exit 3), not overwritten.
     */
    @picocli.CommandLine.Command(
            name = "set",
            description = "Change some of the fleet settings (the others stay as the log holds them).")
    static final class Set extends WriteCommand {
        @Option(
                names = "--max-vips",
                paramLabel = "N",
                converter = Args.Uint32Converter.class,
                description = "Highest number of VIPs (1..65536).")
        Integer maxVips;

        @Option(
                names = "--max-reals",
                paramLabel = "N",
                converter = Args.Uint32Converter.class,
                description = "Size of the reals table (2..65536).")
        Integer maxReals;

        @Option(
                names = "--max-health-check-dsts",
                paramLabel = "N",
                converter = Args.Uint32Converter.class,
                description = "Health-check destinations (0..1048576).")
        Integer maxHealthCheckDsts;

        @Option(
                names = "--max-quic-server-id",
                paramLabel = "N",
                converter = Args.Uint32Converter.class,
                description = "Highest QUIC server id (1..4294967295).")
        Integer maxQuicServerId;

        @Option(
                names = "--default-hash",
                paramLabel = "FUNCTION",
                converter = Args.HashConverter.class,
                description = "maglev or maglev-v2: the hash function of a VIP added without one.")
        HashFunction defaultHash;

        @Option(
                names = "--election-timeout-min-ms",
                paramLabel = "MS",
                converter = Args.Uint32Converter.class,
                description = "Raft: least time without a leader before a follower campaigns (50..60000; fleet"
                        + " version 4; each node runs it from its next start).")
        Integer electionTimeoutMinMs;

        @Option(
                names = "--election-timeout-max-ms",
                paramLabel = "MS",
                converter = Args.Uint32Converter.class,
                description = "Raft: most time without a leader before a follower campaigns (above the minimum,"
                        + " at most 60000).")
        Integer electionTimeoutMaxMs;

        @Option(
                names = "--raft-request-timeout-ms",
                paramLabel = "MS",
                converter = Args.Uint32Converter.class,
                description = "Raft: one server-to-server request (at least the minimum election timeout).")
        Integer raftRequestTimeoutMs;

        @Option(
                names = "--pre-vote",
                paramLabel = "true|false",
                arity = "1",
                description = "Raft: ask before campaigning, so a node that cannot win bumps no term.")
        Boolean preVote;

        @Option(
                names = "--health-quorum",
                paramLabel = "N",
                converter = Args.Uint32Converter.class,
                description = "Votes that decide a real down or up (0: a majority of the voting LBs).")
        Integer healthQuorum;

        @Option(
                names = "--health-panic-percent",
                paramLabel = "P",
                converter = Args.Uint32Converter.class,
                description = "A VIP with more than P%% of its weight down keeps every real (0: 50; 100: never).")
        Integer healthPanicPercent;

        @Option(
                names = "--health-flap-limit",
                paramLabel = "N",
                converter = Args.Uint32Converter.class,
                description = "Damping: a real whose verdict changed more than this (decaying) holds down (0: 4).")
        Integer healthFlapLimit;

        @Option(
                names = "--health-half-life",
                paramLabel = "DURATION",
                converter = Args.DurationConverter.class,
                description = "Damping: the flap count halves every DURATION of log time (0: 60s).")
        java.time.Duration healthHalfLife;

        private FleetSettingsSpec current;

        @Override
        int run(ApiConnection api, Output out) throws Exception {
            if (maxVips == null
                    && maxReals == null
                    && maxHealthCheckDsts == null
                    && maxQuicServerId == null
                    && defaultHash == null
                    && electionTimeoutMinMs == null
                    && electionTimeoutMaxMs == null
                    && raftRequestTimeoutMs == null
                    && preVote == null
                    && !changesHealth()) {
                throw new LbctlException(
                        ExitCodes.USAGE,
                        "name at least one setting to change: --max-vips, --max-reals, --max-health-check-dsts,"
                                + " --max-quic-server-id, --default-hash, --election-timeout-min-ms,"
                                + " --election-timeout-max-ms, --raft-request-timeout-ms, --pre-vote, --health-quorum,"
                                + " --health-panic-percent, --health-flap-limit, --health-half-life (see: lbctl"
                                + " settings set --help)");
            }
            changeFrom(read(api));
            return super.run(api, out);
        }

        private boolean changesHealth() {
            return healthQuorum != null
                    || healthPanicPercent != null
                    || healthFlapLimit != null
                    || healthHalfLife != null;
        }

        /** The health settings (fleet version 3); their ranges are the log's rules, checked at apply. */
        private void setHealth(FleetSettingsSpec.Builder next) {
            if (healthQuorum != null) {
                next.setHealthQuorum(healthQuorum);
            }
            if (healthPanicPercent != null) {
                next.setHealthPanicPercent(healthPanicPercent);
            }
            if (healthFlapLimit != null) {
                next.setHealthFlapLimit(healthFlapLimit);
            }
            if (healthHalfLife != null) {
                next.setHealthHalfLifeMs(healthHalfLife.toMillis());
            }
        }

        /** Bases the change on these settings, read at the state index of their stamp. */
        void changeFrom(GetFleetSettingsResponse read) throws LbctlException {
            if (!read.hasSettings()) {
                throw new LbctlException(
                        ExitCodes.REJECTED,
                        "the log holds no fleet settings yet: they are set first by the agents' bootstrap at start");
            }
            current = read.getSettings();
            if (write.expectStateIndex == null) {
                // What was read is what is changed: a change logged since then refuses this one.
                write.expectStateIndex = read.getStamp().getStateIndex();
            }
        }

        @Override
        Command.Builder command() {
            FleetSettingsSpec.Builder next = current.toBuilder();
            if (maxVips != null) {
                next.setMaxVips(maxVips);
            }
            if (maxReals != null) {
                next.setMaxReals(maxReals);
            }
            if (maxHealthCheckDsts != null) {
                next.setMaxHealthCheckDsts(maxHealthCheckDsts);
            }
            if (maxQuicServerId != null) {
                next.setMaxQuicServerId(Integer.toUnsignedLong(maxQuicServerId));
            }
            if (defaultHash != null) {
                next.setDefaultHashFunction(defaultHash);
            }
            raftTimings(this, next);
            setHealth(next);
            return Command.newBuilder()
                    .setSetFleetSettings(SetFleetSettings.newBuilder().setSettings(next));
        }
    }

    /** The Raft timings named on the command line, into {@code next} (the state machine checks them). */
    private static void raftTimings(Set set, FleetSettingsSpec.Builder next) {
        if (set.electionTimeoutMinMs != null) {
            next.setElectionTimeoutMinMs(set.electionTimeoutMinMs);
        }
        if (set.electionTimeoutMaxMs != null) {
            next.setElectionTimeoutMaxMs(set.electionTimeoutMaxMs);
        }
        if (set.raftRequestTimeoutMs != null) {
            next.setRaftRequestTimeoutMs(set.raftRequestTimeoutMs);
        }
        if (set.preVote != null) {
            next.setPreVoteOff(!set.preVote);
        }
    }

    @picocli.CommandLine.Command(
            name = "finalize",
            description = "Turn on fleet version VERSION (the finalised + 1, once every peer reported support).")
    static final class Finalize extends WriteCommand {
        @Parameters(
                index = "0",
                paramLabel = "VERSION",
                converter = Args.Uint32Converter.class,
                description = "The fleet version to turn on: fleet_version of 'lbctl settings show' + 1.")
        int version;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setFinalizeFleetVersion(FinalizeFleetVersion.newBuilder().setVersion(version));
        }
    }
}
