package io.ringfleet.state.command;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import java.util.Locale;
import java.util.Objects;

/**
 * Validates a command batch against an image and turns it into records, or into one rejection.
 *
 * <p>Runs at apply time on every replica against the same image, so it is pure and deterministic: it
 * reads only the image, the batch (whose principal and timestamp were stamped at the API edge) and the
 * limits. Commands apply in order, each against the state left by the previous ones; identifiers are
 * allocated lowest-free-first (vip_num from 0, real index from 1) and written into the records. If any
 * command is rejected, the whole batch is: no record is returned.
 *
 * <p>This class checks the batch as a whole (at least one command; its size and provenance by
 * {@link ProvenanceRules}; expected_state_index, when set, equals the image's state index) and hands each command to the rules of its domain, which say what is accepted:
 * {@link VipRules}, {@link RealRules}, {@link HealthCheckRules}, {@link QuicRules}, {@link NodeRules}, with
 * {@link AddressRules} for the addresses they all take. A new domain is a new class like those, given a
 * {@link CommandContext}, and a case in {@link #dispatch}.
 */
public final class CommandValidator {
    private final FleetLimits limits;
    private final PeerRoster roster;

    /** Validates with {@code limits}; any well-formed via-node is admitted ({@link PeerRoster#ANY_WELL_FORMED}). */
    public CommandValidator(FleetLimits limits) {
        this(limits, PeerRoster.ANY_WELL_FORMED);
    }

    /** Validates with {@code limits}, admitting as via-node only the peers {@code roster} finds in the image. */
    public CommandValidator(FleetLimits limits, PeerRoster roster) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.roster = Objects.requireNonNull(roster, "roster");
    }

    public FleetLimits limits() {
        return limits;
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
            ProvenanceRules.check(batch, image, roster);
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
            CommandContext ctx = new CommandContext(working, batch, limits);
            try {
                dispatch(command, ctx);
            } catch (Reject r) {
                return rejected(image, new Rejection(r.code, i, kindName(command), r.getMessage()));
            }
            working.replayAll(ctx.records());
        }
        return new Checked(CommandResult.ok(working.records()), working);
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
