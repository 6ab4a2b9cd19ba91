package io.ringfleet.agent.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.raft.RaftTimings;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node's config disagrees with the fleet settings in the log. The node follows the log; this says
 * so: the status field, the gauge {@code ringfleet_fleet_settings_mismatch} (0/1) and one WARN line each time the
 * mismatch appears or changes (never one per check).
 */
public final class SettingsMismatch {
    private static final Logger LOG = LoggerFactory.getLogger(SettingsMismatch.class);

    private final String nodeId;
    private final FleetSettingsSeed seed;
    private final Optional<RaftTimings> running;
    private String last = "";

    /** A mismatch of the config only (a node whose Raft timings are not checked). */
    public SettingsMismatch(String nodeId, FleetSettingsSeed seed) {
        this(nodeId, seed, Optional.empty());
    }

    /**
     * Also reports when {@code running}, the timings this node's Raft server started with, differ from the log's:
     * Ratis takes timings only at start, so until the next start the node cannot follow the log there.
     */
    public SettingsMismatch(String nodeId, FleetSettingsSeed seed, RaftTimings running) {
        this(nodeId, seed, Optional.of(running));
    }

    private SettingsMismatch(String nodeId, FleetSettingsSeed seed, Optional<RaftTimings> running) {
        this.nodeId = nodeId;
        this.seed = Objects.requireNonNull(seed, "seed");
        this.running = running;
    }

    /** Registers the gauge; it reads the last check. */
    public void register(MeterRegistry registry) {
        Gauge.builder(
                        "ringfleet.fleet.settings.mismatch",
                        this,
                        m -> m.current().isEmpty() ? 0 : 1)
                .strongReference(true)
                .description("1 when this node's config (limits, peers, Raft timings) differs from the fleet"
                        + " settings in the log (the node follows the log), or its Raft server runs other timings"
                        + " than the log's until its next start")
                .register(registry);
    }

    /** The mismatch against {@code image} ("" when none); WARNs once when it appears or changes. */
    public synchronized String check(FleetImage image) {
        String now = join(seed.mismatch(image), runningTimingsMismatch(image));
        if (!now.equals(last)) {
            if (!now.isEmpty()) {
                LOG.warn(
                        "{}: local config differs from the fleet settings in the log; following the log: {}",
                        nodeId,
                        now);
            } else {
                LOG.info("{}: local config agrees with the fleet settings in the log again", nodeId);
            }
            last = now;
        }
        return now;
    }

    private String runningTimingsMismatch(FleetImage image) {
        Optional<RaftTimings> logged = image.settings().settings().map(FleetSettings::raftTimings);
        if (running.isEmpty() || logged.isEmpty() || logged.equals(running)) {
            return "";
        }
        return "raft timings: this node runs " + running.get() + " until its next start, the log's are " + logged.get();
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
    }

    public synchronized String current() {
        return last;
    }
}
