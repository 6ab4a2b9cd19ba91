package io.ringfleet.state.command;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.UnsupportedFleetVersionException;
import java.util.List;
import java.util.Locale;

/**
 * Validates a command batch against an image and turns it into records, or into one rejection.
 *
 * <p>Runs at apply time on every replica against the same image, so it is pure and deterministic: it
 * reads only the image (whose fleet settings hold the limits and the fleet version in force: never a node's
 * config) and the batch (whose principal and timestamp were stamped at the API edge). Commands apply in order, each against the state left by the previous ones; identifiers are
 * allocated lowest-free-first (vip_num from 0, real index from 1) and written into the records. If any
 * command is rejected, the whole batch is: no record is returned.
 *
 * <p>This class checks the batch as a whole (at least one command; its size and provenance by
 * {@link ProvenanceRules}; expected_state_index, when set, equals the image's state index) and hands each command to the rules of its domain, which say what is accepted:
 * {@link VipRules}, {@link RealRules}, {@link HealthCheckRules}, {@link QuicRules}, {@link NodeRules}, with
 * {@link AddressRules} for the addresses they all take, {@link SettingsRules} for the fleet settings and
 * version, {@link HealthRules} for health checks and votes, and {@link FilterRules} for pre-filter rules; once the commands passed, {@link HealthVerdicts}
 * folds the votes into the fleet's verdicts (fleet version 3). A command that the finalised fleet version does not include yet ({@link FleetVersions}) is refused
 * FAILED_PRECONDITION; one this software cannot decode throws {@link UnsupportedFleetVersionException} (the
 * replica must stop, never skip it). A new domain is a new class like those, given a
 * {@link CommandContext}, and a case in {@link #dispatch}.
 */
public final class CommandValidator {
    private final int supportedVersion;

    /** A validator of this software: it supports {@link FleetVersions#SUPPORTED}. */
    public CommandValidator() {
        this(FleetVersions.SUPPORTED);
    }

    /** A validator that supports fleet versions up to {@code supportedVersion} (tests simulate older nodes). */
    public CommandValidator(int supportedVersion) {
        if (supportedVersion < FleetVersions.BASE || supportedVersion > FleetVersions.SUPPORTED) {
            throw new IllegalArgumentException("supported fleet version must be " + FleetVersions.BASE + ".."
                    + FleetVersions.SUPPORTED + ", got " + supportedVersion);
        }
        this.supportedVersion = supportedVersion;
    }

    /** The highest fleet version this validator applies the rules of. */
    public int supportedVersion() {
        return supportedVersion;
    }

    /** Validates {@code batch} against {@code image}. Never throws for bad input: that is a rejection. */
    public CommandResult validate(FleetImage image, CommandBatch batch) {
        return check(image, batch).result();
    }

    /**
     * What validating gave: the result and, when it is OK, the delta holding its records replayed over the
     * image (not yet applied); when rejected, an empty delta over the image.
     */
    record Checked(CommandResult result, FleetDelta delta) {}

    /**
     * Validates {@code batch} against {@code image}, replaying each command's records into one delta as it
     * goes: each command is checked against the state the earlier ones left, read through that delta, and the
     * delta is what the caller applies. A record the delta refuses is a bug here: the ReplayException escapes.
     */
    Checked check(FleetImage image, CommandBatch batch) {
        if (batch.getCommandsCount() == 0) {
            return rejected(
                    image,
                    Rejection.ofBatch(ErrorCode.INVALID_ARGUMENT, "the batch has no commands: send at least one"));
        }
        try {
            if (FleetVersions.inForce(image.settings().fleetVersion())
                    >= FleetVersions.Rule.BATCH_PROVENANCE.version()) {
                ProvenanceRules.check(batch, image);
            }
        } catch (Reject r) {
            return rejected(image, Rejection.ofBatch(r.code, r.getMessage()));
        }
        if (batch.hasExpectedStateIndex() && batch.getExpectedStateIndex() != image.stateIndex()) {
            return rejected(
                    image,
                    Rejection.ofBatch(
                            ErrorCode.FAILED_PRECONDITION,
                            "expected state index " + Long.toUnsignedString(batch.getExpectedStateIndex())
                                    + " but the state is at index " + image.stateIndex()
                                    + ": it changed since it was read; read it again and retry"));
        }
        FleetDelta working = new FleetDelta(image);
        for (int i = 0; i < batch.getCommandsCount(); i++) {
            Command command = batch.getCommands(i);
            // A context per command: its real-index allocation must see the indexes earlier commands freed.
            CommandContext ctx = new CommandContext(working, batch);
            try {
                checkVersion(command, i, ctx);
                dispatch(command, ctx);
            } catch (Reject r) {
                return rejected(image, new Rejection(r.code, i, kindName(command), r.getMessage()));
            }
            working.replayAll(ctx.records());
        }
        if (FleetVersions.inForce(working.settingsAfter().fleetVersion())
                >= FleetVersions.Rule.HEALTH_VERDICTS.version()) {
            // After every command: the verdicts follow from the state the whole batch left (one decision per entry).
            CommandContext verdicts = new CommandContext(working, batch);
            HealthVerdicts.reconcile(verdicts, List.copyOf(working.records()));
            working.replayAll(verdicts.records());
        }
        return new Checked(CommandResult.ok(working.records()), working);
    }

    /**
     * The command is one this software knows (else the replica stops: it would otherwise skip what the others
     * apply) and one the finalised fleet version includes (else a rejection naming both versions).
     */
    private void checkVersion(Command command, int position, CommandContext ctx) throws Reject {
        if (command.getKindCase() == Command.KindCase.KIND_NOT_SET) {
            if (!command.getUnknownFields().asMap().isEmpty()) {
                throw new UnsupportedFleetVersionException("command " + position + " of the entry has a kind this"
                        + " software does not know (field "
                        + command.getUnknownFields().asMap().keySet()
                        + " of Command): it supports fleet versions up to " + supportedVersion
                        + "; upgrade this node's software before it applies the log");
            }
            return; // no kind at all: dispatch rejects it
        }
        int needed = FleetVersions.introducedIn(command.getKindCase());
        if (needed > ctx.fleetVersion()) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    kindName(command) + " needs fleet version " + needed + " but the fleet's finalised version is "
                            + ctx.fleetVersion() + ": upgrade every node and finalise version " + needed + " first");
        }
    }

    /** Hands the command to the rules of its domain, which emit its records into {@code ctx}. */
    private static void dispatch(Command c, CommandContext ctx) throws Reject {
        switch (c.getKindCase()) {
            case ADD_VIP -> VipRules.add(ctx, c.getAddVip());
            case REMOVE_VIP -> VipRules.remove(ctx, c.getRemoveVip());
            case MODIFY_VIP_FLAGS -> VipRules.modifyFlags(ctx, c.getModifyVipFlags());
            case SET_VIP_HASH_FUNCTION -> VipRules.setHashFunction(ctx, c.getSetVipHashFunction());
            case ADD_REALS -> RealRules.add(ctx, c.getAddReals());
            case REMOVE_REALS -> RealRules.remove(ctx, c.getRemoveReals());
            case SET_REAL_WEIGHTS -> RealRules.setWeights(ctx, c.getSetRealWeights());
            case MARK_REAL_DOWN -> RealRules.markDown(ctx, c.getMarkRealDown());
            case CLEAR_REAL_DOWN -> RealRules.clearDown(ctx, c.getClearRealDown());
            case SET_HEALTH_CHECK_DST -> HealthCheckRules.setDestination(ctx, c.getSetHealthCheckDst());
            case REMOVE_HEALTH_CHECK_DST -> HealthCheckRules.removeDestination(ctx, c.getRemoveHealthCheckDst());
            case MAP_QUIC_SERVER_IDS -> QuicRules.map(ctx, c.getMapQuicServerIds());
            case UNMAP_QUIC_SERVER_IDS -> QuicRules.unmap(ctx, c.getUnmapQuicServerIds());
            case DRAIN_NODE -> NodeRules.drain(ctx, c.getDrainNode());
            case UNDRAIN_NODE -> NodeRules.undrain(ctx, c.getUndrainNode());
            case SET_GATEWAY_MAC -> NodeRules.setGatewayMac(ctx, c.getSetGatewayMac());
            case SET_FLEET_SETTINGS -> SettingsRules.set(ctx, c.getSetFleetSettings());
            case REPORT_NODE_VERSION -> SettingsRules.reportNodeVersion(ctx, c.getReportNodeVersion());
            case FINALIZE_FLEET_VERSION -> SettingsRules.finalizeVersion(ctx, c.getFinalizeFleetVersion());
            case SET_VIP_HEALTH_CHECK -> HealthRules.setCheck(ctx, c.getSetVipHealthCheck());
            case REMOVE_VIP_HEALTH_CHECK -> HealthRules.removeCheck(ctx, c.getRemoveVipHealthCheck());
            case REPORT_REAL_HEALTH -> HealthRules.report(ctx, c.getReportRealHealth());
            case ADD_FILTER_RULE -> FilterRules.add(ctx, c.getAddFilterRule());
            case DELETE_FILTER_RULE -> FilterRules.delete(ctx, c.getDeleteFilterRule());
            case SET_FILTER_RULE_MODE -> FilterRules.setMode(ctx, c.getSetFilterRuleMode());
            default -> throw Reject.invalid("the command has no operation set (or one this version does not know)");
        }
    }

    private static Checked rejected(FleetImage image, Rejection rejection) {
        return new Checked(CommandResult.rejected(rejection), new FleetDelta(image));
    }

    private static String kindName(Command command) {
        return command.getKindCase().name().toLowerCase(Locale.ROOT);
    }
}
