package io.ringfleet.chaos;

/** The chaos tests' sleep: an interrupt ends the run (the flag is kept) instead of being swallowed. */
public final class Pause {
    private Pause() {}

    /** Sleeps {@code millis}; throws IllegalStateException if interrupted. */
    public static void millis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
