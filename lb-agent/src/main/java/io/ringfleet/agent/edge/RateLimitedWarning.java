package io.ringfleet.agent.edge;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * WARN lines about things clients do (malformed requests, refused connections, slow HTTP clients), at most one
 * line per kind per window: a client that repeats a mistake a million times must not fill the disk. The line
 * after a quiet window says how many of that kind were suppressed since the last one.
 */
public final class RateLimitedWarning {
    /** The window of every edge warning unless a caller says otherwise. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

    private final Logger log;
    private final long windowNanos;
    private final Map<String, KindState> kinds = new ConcurrentHashMap<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    /** One kind's window: when its last line was written and how many were dropped since. */
    private static final class KindState {
        long lastLineNanos;
        long droppedSinceLine;
        boolean everWritten;
    }

    public RateLimitedWarning(Logger log, Duration window) {
        this.log = Objects.requireNonNull(log, "log");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        this.windowNanos = window.toNanos();
    }

    /**
     * Writes {@code line} as a WARN unless a line of this {@code kind} was written within the window; then it
     * only counts it. The text must not contain client-supplied strings (they are not sanitised here).
     *
     * @return whether a line was written
     */
    public boolean warn(String kind, String line) {
        KindState state = kinds.computeIfAbsent(kind, k -> new KindState());
        long dropped;
        synchronized (state) {
            long now = System.nanoTime();
            if (state.everWritten && now - state.lastLineNanos < windowNanos) {
                state.droppedSinceLine++;
                suppressed.incrementAndGet();
                return false;
            }
            dropped = state.droppedSinceLine;
            state.droppedSinceLine = 0;
            state.lastLineNanos = now;
            state.everWritten = true;
        }
        written.incrementAndGet();
        if (dropped > 0) {
            log.warn("{} ({} more of this kind suppressed since the last such line)", line, dropped);
        } else {
            log.warn("{} (further ones within {} s are counted, not logged)", line, windowNanos / 1_000_000_000L);
        }
        return true;
    }

    /** Lines written so far (all kinds). */
    public long linesWritten() {
        return written.get();
    }

    /** Warnings counted but not written so far (all kinds). */
    public long suppressed() {
        return suppressed.get();
    }
}
