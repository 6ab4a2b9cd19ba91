package io.ringfleet.chaos.health;

/**
 * A check's timing as the scenarios use it (short, so a real-process run stays within minutes).
 *
 * @param intervalMillis time between two probes of a pair
 * @param timeoutMillis a probe's timeout, below the interval
 * @param rise successes that bring a real up
 * @param fall failures that take it down
 */
public record CheckTiming(int intervalMillis, int timeoutMillis, int rise, int fall) {
    /** fall × interval: how long an LB takes at most (jitter aside) to see a dead real down. */
    public long downMillis() {
        return (long) fall * intervalMillis;
    }

    /** rise × interval: how long an LB takes (jitter aside) to see a recovered real up. */
    public long upMillis() {
        return (long) rise * intervalMillis;
    }
}
