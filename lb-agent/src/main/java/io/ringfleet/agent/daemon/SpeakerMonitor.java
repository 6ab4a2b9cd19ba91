package io.ringfleet.agent.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads the host's BIRD ({@link BirdStatus}) every {@code period} on a thread of its own, so that a status
 * call (which peers poll) or a metrics scrape never waits for birdc; they read the last answer.
 */
public final class SpeakerMonitor implements AutoCloseable {
    private final Path socket;
    private final Duration timeout;
    private final ScheduledExecutorService thread;
    private volatile BirdStatus last = BirdStatus.unreachable("not read yet");

    public SpeakerMonitor(String nodeId, Path socket, Duration period) {
        this.socket = Objects.requireNonNull(socket, "socket");
        // one read must end before the next is due
        this.timeout = period.dividedBy(2);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bird-status-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::refresh, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        last = BirdStatus.read(socket, timeout);
    }

    /** BIRD's last answer (or why it could not be read). */
    public BirdStatus last() {
        return last;
    }

    public Path socket() {
        return socket;
    }

    /** The last answer, or empty when no speaker is configured. */
    public static Optional<BirdStatus> lastOf(Optional<SpeakerMonitor> monitor) {
        return monitor.map(SpeakerMonitor::last);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
