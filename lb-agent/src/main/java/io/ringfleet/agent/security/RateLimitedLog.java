package io.ringfleet.agent.security;

import io.ringfleet.state.PrintableText;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Security events (refused handshakes, denied calls) as one sanitised line each, at most one line per interval
 * so a client hammering the port cannot flood the log; the next line says how many were left out meanwhile.
 * The text is made safe by {@link PrintableText}: a certificate's CN cannot forge a log line.
 */
public final class RateLimitedLog {
    private final Consumer<String> sink;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long nextAllowedNanos;
    private boolean logged;
    private long suppressed;

    /**
     * @param sink where a line goes (a logger's warn)
     * @param interval least time between two lines
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    public RateLimitedLog(Consumer<String> sink, Duration interval, LongSupplier nanoClock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.intervalNanos = interval.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** Logs {@code line} (sanitised) unless a line was logged less than an interval ago. */
    public void log(String line) {
        String text;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (logged && now - nextAllowedNanos < 0) {
                suppressed++;
                return;
            }
            logged = true;
            nextAllowedNanos = now + intervalNanos;
            text = PrintableText.of(line, 1024) + (suppressed > 0 ? " (" + suppressed + " similar not logged)" : "");
            suppressed = 0;
        }
        sink.accept(text);
    }
}
