package io.ringfleet.agent.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ringfleet.state.health.HealthPair;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The prober's meters: {@code ringfleet_health_probe_seconds} {kind, result} (histogram of one probe, connect
 * to outcome; result {@code ok} / {@code failed}); {@code ringfleet_health_pair_state} {vip, real} (this
 * node's verdict: 1 up, 0 down, -1 unknown; removed with the pair); {@code
 * ringfleet_health_verdict_changes_total} {to} (edges reported to the listener).
 */
final class HealthMetrics {
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(100_000),
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
        Duration.ofSeconds(2)
    };

    private final MeterRegistry registry;
    private final Map<String, Timer> probeTimers = new ConcurrentHashMap<>();
    private final Map<Verdict, Counter> changes = new ConcurrentHashMap<>();
    private final Map<HealthPair, Gauge> states = new ConcurrentHashMap<>();

    HealthMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void probed(String kind, ProbeResult result) {
        String ok = result.ok() ? "ok" : "failed";
        probeTimers
                .computeIfAbsent(
                        kind + "/" + ok,
                        k -> Timer.builder("ringfleet.health.probe")
                                .tag("kind", kind)
                                .tag("result", ok)
                                .description("one health probe, from connect to its outcome")
                                .serviceLevelObjectives(BUCKETS)
                                .register(registry))
                .record(result.nanos(), TimeUnit.NANOSECONDS);
    }

    void changed(VerdictChange change) {
        changes.computeIfAbsent(
                        change.to(),
                        v -> Counter.builder("ringfleet.health.verdict.changes")
                                .tag("to", v.name().toLowerCase(java.util.Locale.ROOT))
                                .description("this node's verdict on a (VIP, real) pair changed")
                                .register(registry))
                .increment();
    }

    /** Registers pair's state gauge, reading verdicts (kept strongly here: a gauge holds its source weakly). */
    void track(HealthPair pair, Map<HealthPair, Verdict> verdicts) {
        states.computeIfAbsent(
                pair,
                p -> Gauge.builder("ringfleet.health.pair.state", verdicts, m -> value(m.get(p)))
                        .tag("vip", p.vip().toString())
                        .tag("real", p.real().toString())
                        .description("this node's verdict on the pair: 1 up, 0 down, -1 unknown")
                        .strongReference(true)
                        .register(registry));
    }

    void untrack(HealthPair pair) {
        Gauge g = states.remove(pair);
        if (g != null) {
            registry.remove(g);
        }
    }

    private static double value(Verdict v) {
        if (v == Verdict.UP) {
            return 1;
        }
        return v == Verdict.DOWN ? 0 : -1;
    }
}
