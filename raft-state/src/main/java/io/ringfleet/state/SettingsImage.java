package io.ringfleet.state;

import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fleet-wide settings domain of an image: the {@link FleetSettings} (none until the log holds them), the
 * finalised fleet version (0 until a bootstrap finalised one) and the highest fleet version each node reported
 * its software supports. Immutable; small, so a change copies it.
 */
public final class SettingsImage {
    public static final SettingsImage EMPTY = new SettingsImage(null, 0, new TreeMap<>());

    private final FleetSettings settings;
    private final int fleetVersion;
    private final SortedMap<String, Integer> nodeVersions;

    private SettingsImage(FleetSettings settings, int fleetVersion, TreeMap<String, Integer> nodeVersions) {
        this.settings = settings;
        this.fleetVersion = fleetVersion;
        this.nodeVersions = Collections.unmodifiableSortedMap(nodeVersions);
    }

    /** The settings the log holds; empty until the first bootstrap was applied. */
    public Optional<FleetSettings> settings() {
        return Optional.ofNullable(settings);
    }

    /** The finalised fleet version; 0 while the log holds no settings. */
    public int fleetVersion() {
        return fleetVersion;
    }

    /** Node id → highest fleet version its software supports, as reported; ascending id. */
    public SortedMap<String, Integer> nodeVersions() {
        return nodeVersions;
    }

    public Optional<Integer> nodeVersion(String nodeId) {
        return Optional.ofNullable(nodeVersions.get(nodeId));
    }

    public boolean isEmpty() {
        return settings == null && fleetVersion == 0 && nodeVersions.isEmpty();
    }

    SettingsImage withSettings(FleetSettings next) {
        return new SettingsImage(Objects.requireNonNull(next, "settings"), fleetVersion, new TreeMap<>(nodeVersions));
    }

    SettingsImage withFleetVersion(int version) {
        if (version <= fleetVersion) {
            throw new ReplayException("fleet version " + version + " is not above the finalised " + fleetVersion);
        }
        return new SettingsImage(settings, version, new TreeMap<>(nodeVersions));
    }

    SettingsImage withNodeVersion(String nodeId, int version) {
        if (version < 1) {
            throw new ReplayException("node " + nodeId + " reports fleet version " + version + ": versions start at 1");
        }
        TreeMap<String, Integer> next = new TreeMap<>(nodeVersions);
        next.put(nodeId, version);
        return new SettingsImage(settings, fleetVersion, next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SettingsImage s
                && Objects.equals(settings, s.settings)
                && fleetVersion == s.fleetVersion
                && nodeVersions.equals(s.nodeVersions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings, fleetVersion, nodeVersions);
    }

    @Override
    public String toString() {
        return "SettingsImage{" + settings + ", fleetVersion=" + fleetVersion + ", nodeVersions=" + nodeVersions + "}";
    }
}
