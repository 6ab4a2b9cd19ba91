package io.ringfleet.state.health;

/**
 * The fleet's health-verdict settings, held in the log (FleetSettingsSpec fields 8-11; 0 there = the default).
 *
 * @param quorum votes that decide a pair down (or up again); 0 = a majority of the voting LBs
 * @param panicPercent a VIP whose down weight would exceed this share of its total weight keeps every real
 *     (fail open), 0..100
 * @param flapLimit damping: a pair whose figure of merit (1 per fleet change, halved every half-life) exceeds
 *     this is held down, until it decays to half of it; at least 1
 * @param halfLifeMillis damping: the figure of merit's half-life, in log time; at least 1
 */
public record FleetHealthSettings(int quorum, int panicPercent, int flapLimit, long halfLifeMillis) {
    public static final FleetHealthSettings DEFAULTS = new FleetHealthSettings(0, 50, 4, 60_000);

    public FleetHealthSettings {
        rule(quorum >= 0, "quorum must be 0 (majority) or more, got " + quorum);
        rule(panicPercent >= 0 && panicPercent <= 100, "panic threshold must be 0..100 %, got " + panicPercent);
        rule(flapLimit >= 1, "flap limit must be at least 1, got " + flapLimit);
        rule(halfLifeMillis >= 1, "damping half-life must be at least 1 ms, got " + halfLifeMillis);
    }

    private static void rule(boolean ok, String message) {
        if (!ok) {
            throw new InvalidHealthCheckException(message);
        }
    }

    /**
     * The votes that decide among {@code voters} LBs: the quorum as set (more than there are voters: no pair
     * changes), or a majority when it is 0.
     */
    public int quorumOf(int voters) {
        return quorum == 0 ? voters / 2 + 1 : quorum;
    }
}
