package io.ringfleet.agent.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringfleet.state.FleetImage;
import java.util.Objects;
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
    private String last = "";

    public SettingsMismatch(String nodeId, FleetSettingsSeed seed) {
        this.nodeId = nodeId;
        this.seed = Objects.requireNonNull(seed, "seed");
    }

    /** Registers the gauge; it reads the last check. */
    public void register(MeterRegistry registry) {
        Gauge.builder(
                        "ringfleet.fleet.settings.mismatch",
                        this,
                        m -> m.current().isEmpty() ? 0 : 1)
                .strongReference(true)
                .description("1 when this node's config limits or peers differ from the fleet settings in the log"
                        + " (the node follows the log)")
                .register(registry);
    }

    /** The mismatch against {@code image} ("" when none); WARNs once when it appears or changes. */
    public synchronized String check(FleetImage image) {
        String now = seed.mismatch(image);
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

    public synchronized String current() {
        return last;
    }
}
