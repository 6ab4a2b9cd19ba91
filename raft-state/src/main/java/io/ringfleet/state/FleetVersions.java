package io.ringfleet.state;

import io.ringfleet.api.Command;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one table of fleet versions: which command kind and which validation rule each fleet version introduced.
 * A fleet runs the rules of its finalised version (in the image's settings), so replicas on different software
 * validate alike during a rolling upgrade; a version is finalised once every peer reported support for it.
 *
 * <ul>
 *   <li>Version 1: every command that existed before fleet versions, and set_fleet_settings,
 *       report_node_version, finalize_fleet_version. Also the rules of a log that holds no settings yet.
 *   <li>Version 2: the address policy ({@link Rule#ADDRESS_POLICY}); batch size and provenance checks
 *       ({@link Rule#BATCH_PROVENANCE}).
 *   <li>Version 3: drain and undrain name a peer of the log's settings ({@link Rule#NODE_NAMES}); health checks
 *       and fleet health verdicts ({@link Rule#HEALTH_VERDICTS}): set_vip_health_check, remove_vip_health_check,
 *       report_real_health, and the health fields of the fleet settings.
 *   <li>Version 4: the Raft timings in the fleet settings ({@link Rule#RAFT_TIMINGS}); each VIP keeps the ring
 *       inputs of its last ring changes ({@link Rule#RING_HISTORY}), in the digest and in snapshots, and the
 *       ring_history_depth fleet setting.
 *   <li>Version 5: pre-filter rules ({@link Rule#PRE_FILTER}): add_filter_rule, delete_filter_rule,
 *       set_filter_rule_mode, and the image's {@code FilterImage}.
 * </ul>
 *
 * <p>Adding a version: raise {@link #SUPPORTED}, and put the new command kinds or rules in the tables below.
 */
public final class FleetVersions {
    /** The highest fleet version this software supports (a fresh fleet bootstraps at it). */
    public static final int SUPPORTED = 5;
    /** The rules in force while the log holds no settings: what existed before fleet versions. */
    public static final int BASE = 1;

    /** Validation rules that changed what is accepted, with the version that introduced each. */
    public enum Rule {
        /**
         * No VIP on loopback, multicast, broadcast, unspecified, link-local or a peer's control address; no real
         * (QUIC real, health-check destination) on multicast or broadcast.
         */
        ADDRESS_POLICY(2, "the address policy"),
        /**
         * The state machine checks each batch as a whole: at most 1,000 commands and 1 MiB, a well-formed principal
         * and request id, a via-node that is one of the fleet's peers, a timestamp above 0.
         */
        BATCH_PROVENANCE(2, "batch size and provenance checks"),
        /**
         * drain_node names a peer of the fleet settings in the log (a typo no longer drains nobody while the
         * intended LB stays in service); undrain_node names a peer or a node the log holds drained (so a drain
         * logged before this rule can still be undone).
         */
        NODE_NAMES(3, "node names checked against the peers in the log"),
        /**
         * Health checks per VIP, LB votes and the fleet verdicts folded from them (a down real owns no ring slot);
         * the health settings (quorum, panic threshold, damping) in the fleet settings.
         */
        HEALTH_VERDICTS(3, "health checks and fleet health verdicts"),
        /**
         * The Raft election timeouts, request timeout and pre-vote in the fleet settings (fields 18-21 of
         * FleetSettingsSpec), set to other than the defaults: older software keeps them only as unknown bytes and
         * could neither run them nor report that its own timings differ.
         */
        RAFT_TIMINGS(4, "Raft timings in the fleet settings"),
        /**
         * Replay pushes a VIP's previous ring input onto its ring history when a log entry changes it (second
         * chance programs the newest as the previous ring); the history is in the digest and in snapshots (record
         * VipRingHistory), and the fleet settings take ring_history_depth. Below this version nothing is pushed,
         * so the digest and snapshots of older fleets are unchanged and mixed software cannot diverge.
         */
        RING_HISTORY(4, "ring history for second-chance forwarding"),
        /**
         * Pre-filter rules in the log (add_filter_rule, delete_filter_rule, set_filter_rule_mode; records
         * FilterRuleAdded, FilterRuleRemoved, FilterRuleModeChanged), in the image, the digest and snapshots. Older
         * software cannot decode the commands, so they wait until every node runs this one.
         */
        PRE_FILTER(5, "pre-filter rules");

        private final int version;
        private final String description;

        Rule(int version, String description) {
            this.version = version;
            this.description = description;
        }

        public int version() {
            return version;
        }

        public String description() {
            return description;
        }
    }

    private static final Map<Command.KindCase, Integer> COMMANDS = commands();

    private FleetVersions() {}

    private static Map<Command.KindCase, Integer> commands() {
        EnumMap<Command.KindCase, Integer> m = new EnumMap<>(Command.KindCase.class);
        for (Command.KindCase kind : Command.KindCase.values()) {
            if (kind != Command.KindCase.KIND_NOT_SET) {
                m.put(kind, 1); // version 1: everything this build's Command knows
            }
        }
        // A command added by version N: m.put(Command.KindCase.NEW_KIND, N);
        m.put(Command.KindCase.SET_VIP_HEALTH_CHECK, Rule.HEALTH_VERDICTS.version());
        m.put(Command.KindCase.REMOVE_VIP_HEALTH_CHECK, Rule.HEALTH_VERDICTS.version());
        m.put(Command.KindCase.REPORT_REAL_HEALTH, Rule.HEALTH_VERDICTS.version());
        m.put(Command.KindCase.ADD_FILTER_RULE, Rule.PRE_FILTER.version());
        m.put(Command.KindCase.DELETE_FILTER_RULE, Rule.PRE_FILTER.version());
        m.put(Command.KindCase.SET_FILTER_RULE_MODE, Rule.PRE_FILTER.version());
        return Collections.unmodifiableMap(m);
    }

    /** The fleet version that introduced {@code kind}. */
    public static int introducedIn(Command.KindCase kind) {
        Integer v = COMMANDS.get(kind);
        if (v == null) {
            throw new IllegalArgumentException("no fleet version introduced command kind " + kind);
        }
        return v;
    }

    /** The version whose rules a fleet at {@code finalised} runs: {@link #BASE} before settings exist. */
    public static int inForce(int finalised) {
        return Math.max(BASE, finalised);
    }
}
