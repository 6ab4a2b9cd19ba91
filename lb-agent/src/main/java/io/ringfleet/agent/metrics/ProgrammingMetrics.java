package io.ringfleet.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ringfleet.agent.datapath.ProgramReport;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The map programmer: {@code ringfleet_programmed_index}; {@code ringfleet_programming_seconds} (histogram of
 * one run: read the kernel, plan, write; {@code full} = "true" for whole comparisons);
 * {@code ringfleet_programming_lag_seconds} (histogram from an image's arrival at the programmer to its effects
 * being in the kernel); {@code ringfleet_programming_entries_written_total} {map};
 * {@code ringfleet_programming_failures_total}. Runs are the histograms' {@code _count}.
 */
public final class ProgrammingMetrics {
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5)
    };

    private final MeterRegistry registry;
    private final Timer incremental;
    private final Timer full;
    private final Timer lag;
    private final Map<String, Counter> written = new ConcurrentHashMap<>();
    private final LongSupplier failures; // held here: a function counter keeps only a weak reference

    public ProgrammingMetrics(MeterRegistry registry, LongSupplier programmedIndex, LongSupplier failures) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.failures = Objects.requireNonNull(failures, "failures");
        Gauge.builder("ringfleet.programmed.index", programmedIndex, LongSupplier::getAsLong)
                .strongReference(true)
                .description("last log index whose effects are all in the kernel's maps (-1 before the first)")
                .register(registry);
        this.incremental = runTimer("false");
        this.full = runTimer("true");
        this.lag = Timer.builder("ringfleet.programming.lag")
                .description("from an applied image reaching the programmer to its effects being in the kernel")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        FunctionCounter.builder("ringfleet.programming.failures", this.failures, LongSupplier::getAsLong)
                .description("programming runs that failed (retried with the newest image)")
                .register(registry);
    }

    private Timer runTimer(String fullTag) {
        return Timer.builder("ringfleet.programming")
                .tag("full", fullTag)
                .description("one programming run: read the kernel, plan, write (full = every entry compared)")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    /** For {@code MapProgrammer.Builder.onProgrammed}. */
    public void programmed(ProgramReport report) {
        (report.full() ? full : incremental).record(report.durationNanos(), TimeUnit.NANOSECONDS);
        report.written()
                .forEach((map, n) -> written.computeIfAbsent(
                                map,
                                m -> Counter.builder("ringfleet.programming.entries.written")
                                        .tag("map", m)
                                        .description("map entries written (puts and deletes) by the programmer")
                                        .register(registry))
                        .increment(n));
    }

    /** An image reached the kernel {@code nanos} after it reached the programmer. */
    public void lag(long nanos) {
        lag.record(nanos, TimeUnit.NANOSECONDS);
    }
}
