package io.ringfleet.state.health;

/**
 * BGP-style flap damping, in log time only: every change of a pair's quorum verdict adds 1 to a figure of merit
 * that halves every half-life; a merit above the flap limit holds the pair down until it has decayed to half the
 * limit. {@code StrictMath} throughout, so every node computes the same bits.
 */
public final class FlapDamping {
    private FlapDamping() {}

    /** The merit {@code merit} (computed at log time {@code atMillis}) has decayed to at log time nowMillis. */
    public static double meritAt(double merit, long atMillis, long nowMillis, FleetHealthSettings s) {
        if (merit == 0) {
            return 0;
        }
        long elapsed = Math.max(0, nowMillis - atMillis);
        return merit * StrictMath.pow(0.5, (double) elapsed / s.halfLifeMillis());
    }

    /**
     * The log time a hold ends, for a pair whose merit is {@code merit} at {@code nowMillis}: when the merit has
     * decayed to half the flap limit; 0 (not held) when the merit is not above the limit and no hold runs.
     *
     * @param holding whether a hold was still running at nowMillis (a change during a hold extends it)
     */
    public static long heldUntil(double merit, long nowMillis, boolean holding, FleetHealthSettings s) {
        double floor = s.flapLimit() / 2.0;
        if ((!holding && merit <= s.flapLimit()) || merit <= floor) {
            return 0;
        }
        double halfLives = StrictMath.log(merit / floor) / StrictMath.log(2);
        return nowMillis + Math.max(1, (long) StrictMath.ceil(halfLives * s.halfLifeMillis()));
    }
}
