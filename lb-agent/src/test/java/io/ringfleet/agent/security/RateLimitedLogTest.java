package io.ringfleet.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The refusal log on a hand-moved clock: one line per interval, the count of what it left out, text escaped. */
class RateLimitedLogTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final List<String> lines = new ArrayList<>();
    private final RateLimitedLog log = new RateLimitedLog(lines::add, Duration.ofSeconds(10), nanos::get);

    @Test
    void linesWithinAnIntervalAreCountedNotLogged() {
        log.log("first");
        log.log("second");
        log.log("third");
        assertEquals(List.of("first"), lines);
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        log.log("fourth");
        assertEquals(List.of("first", "fourth (2 similar not logged)"), lines);
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        log.log("fifth");
        assertEquals(2, lines.size(), "still within the interval after the fourth");
    }

    @Test
    void aLineCannotForgeAnother() {
        log.log("CN=rogue\nINFO all good\u001b[0m");
        assertEquals(List.of("CN=rogue\\nINFO all good\\e[0m"), lines);
    }
}
