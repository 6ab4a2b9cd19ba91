package io.ringfleet.state.health;

import io.ringfleet.api.VerdictReason;
import java.util.Objects;

/**
 * The fleet's verdict on a pair (or, for a VIP's panic, on the VIP), as the last {@code FleetVerdictChanged}
 * record set it. Everything here travels in the record: replay never computes a verdict.
 *
 * @param down pair: out of the ring (a quorum said down, or damping holds it), unless its VIP panics; VIP: in
 *     panic
 * @param votedDown pair: the quorum fold alone (before damping)
 * @param reason why it changed last
 * @param sinceIndex log index of the entry that changed it
 * @param sinceMillis that entry's log time
 * @param merit damping's figure of merit right after the last quorum change
 * @param meritAtMillis the log time of that change
 * @param heldUntilMillis damping holds the pair down until this log time (0: not held)
 * @param votesDown down votes counted when it was decided
 * @param votesUp up votes counted
 * @param voters LBs whose votes counted
 */
public record PairVerdict(
        boolean down,
        boolean votedDown,
        VerdictReason reason,
        long sinceIndex,
        long sinceMillis,
        double merit,
        long meritAtMillis,
        long heldUntilMillis,
        int votesDown,
        int votesUp,
        int voters) {
    public PairVerdict {
        Objects.requireNonNull(reason, "reason");
    }

    /** A pair nobody said anything about: up, never changed, no damping. */
    public static final PairVerdict UP =
            new PairVerdict(false, false, VerdictReason.VERDICT_REASON_UNSPECIFIED, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Whether damping holds the pair down at log time {@code nowMillis}. */
    public boolean heldAt(long nowMillis) {
        return heldUntilMillis != 0 && nowMillis < heldUntilMillis;
    }

    /** The same verdict stamped with the log index it changed at. */
    public PairVerdict at(long index) {
        return new PairVerdict(
                down,
                votedDown,
                reason,
                index,
                sinceMillis,
                merit,
                meritAtMillis,
                heldUntilMillis,
                votesDown,
                votesUp,
                voters);
    }

    /** Same decision (what the rings and the damping read), whatever the since stamp and vote counts. */
    public boolean sameDecision(PairVerdict o) {
        return down == o.down
                && votedDown == o.votedDown
                && Double.compare(merit, o.merit) == 0
                && meritAtMillis == o.meritAtMillis
                && heldUntilMillis == o.heldUntilMillis;
    }
}
