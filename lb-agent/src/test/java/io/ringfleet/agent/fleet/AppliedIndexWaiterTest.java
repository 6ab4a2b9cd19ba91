package io.ringfleet.agent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AppliedIndexWaiterTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final FleetImage at3 = FleetImage.EMPTY.withProvenance(new Provenance(1, 3));
    private final AppliedIndexWaiter waiter = new AppliedIndexWaiter("lb1", () -> at3, timer);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void anIndexOf2To63OrMoreIsABugNotAnIndexAlreadyApplied() {
        // uint64 2^64-1 and 2^63 as Java longs: compared as longs they are below 3, and were "applied" at once.
        for (long index : new long[] {-1L, Long.MIN_VALUE}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> waiter.await(index, Duration.ofSeconds(1)));
            assertEquals(
                    "index " + Long.toUnsignedString(index) + " is above the largest log index " + Long.MAX_VALUE,
                    e.getMessage());
        }
        assertTrue(waiter.await(3, Duration.ofSeconds(1)).isDone());
        assertTrue(!waiter.await(Long.MAX_VALUE, Duration.ofSeconds(10)).isDone());
    }
}
