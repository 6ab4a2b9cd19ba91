package io.ringfleet.state;

import io.ringfleet.api.CommandBatch;
import java.util.Random;

/**
 * Public face of {@link RandomHistoryTest}'s seeded generator for tests outside this package: random
 * command batches (valid and invalid, small limits so that exhaustion and identifier reuse happen) biased
 * towards what exists in the image they are generated against.
 */
public final class RandomBatches {
    /** The limits the generator is tuned for: 6 VIPs, 7 reals, 3 health-check marks, QUIC ids 1..5. */
    public static final FleetLimits LIMITS = RandomHistoryTest.LIMITS;

    private final RandomHistoryTest.Generator generator;

    public RandomBatches(long seed) {
        this.generator = new RandomHistoryTest.Generator(new Random(seed));
    }

    /** The next batch, generated against {@code current}; {@code step} stamps its time and request id. */
    public CommandBatch next(FleetImage current, int step) {
        return generator.batch(current, step);
    }
}
