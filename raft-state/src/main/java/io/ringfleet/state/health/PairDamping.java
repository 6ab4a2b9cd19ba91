package io.ringfleet.state.health;

/**
 * BGP-style flap damping of one pair, in log time only: every fleet change of the pair adds 1 to a figure of
 * merit that halves every half-life; above the flap limit the pair is held down until the merit has decayed to
 * half the limit. Immutable; {@code StrictMath} so every node computes the same bits.
 *
 * @param merit the figure of merit right after the last change
 * @param atMillis the log time of the last change
 * @param suppressed whether the pair was held down right after the last change
 */
record PairDamping(double merit, long atMillis, boolean suppressed) {
    static final PairDamping NONE = new PairDamping(0, Long.MIN_VALUE, false);

    double meritAt(long nowMillis, long halfLifeMillis) {
        if (atMillis == Long.MIN_VALUE) {
            return 0;
        }
        long elapsed = Math.max(0, nowMillis - atMillis);
        return merit * StrictMath.pow(0.5, (double) elapsed / halfLifeMillis);
    }

    boolean heldAt(long nowMillis, FleetHealthSettings s) {
        return suppressed && meritAt(nowMillis, s.halfLifeMillis()) > s.flapLimit() / 2.0;
    }

    /** The pair changed at nowMillis. */
    PairDamping changed(long nowMillis, FleetHealthSettings s) {
        double m = meritAt(nowMillis, s.halfLifeMillis()) + 1;
        boolean stillHeld = heldAt(nowMillis, s);
        return new PairDamping(m, nowMillis, stillHeld || m > s.flapLimit());
    }
}
