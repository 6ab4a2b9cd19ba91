package io.ringfleet.state;

import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole fleet state at one point of the log. Immutable and thread-safe; split by domain into
 * sub-images that are shared between successive images when unchanged.
 *
 * <p>Provenance: {@link #provenance()} is the (term, index) of the last log entry folded in;
 * {@link #stateIndex()} is the index of the last entry that changed the state (what an optimistic
 * concurrency precondition compares with). The next image is made by a {@link FleetDelta}.
 *
 * <p>{@link #digest()} is a SHA-256 over a canonical encoding of the state (not of the provenance, nor of the
 * {@link #history()}, the audit trail that rides along): equal states give equal digests on every node and every
 * JVM.
 */
public final class FleetImage {
    public static final FleetImage EMPTY = new FleetImage(
            Provenance.EMPTY,
            0,
            VipsImage.EMPTY,
            RealsImage.EMPTY,
            HealthChecksImage.EMPTY,
            QuicIdsImage.EMPTY,
            NodesImage.EMPTY,
            null,
            SettingsImage.EMPTY,
            HealthImage.EMPTY,
            FilterImage.EMPTY,
            HistoryImage.EMPTY);

    private final Provenance provenance;
    private final long stateIndex;
    private final VipsImage vips;
    private final RealsImage reals;
    private final HealthChecksImage healthChecks;
    private final QuicIdsImage quicIds;
    private final NodesImage nodes;
    private final MacAddress gatewayMac;
    private final SettingsImage settings;
    private final HealthImage health;
    private final FilterImage filters;
    private final HistoryImage history;
    private volatile byte[] digest;

    FleetImage(
            Provenance provenance,
            long stateIndex,
            VipsImage vips,
            RealsImage reals,
            HealthChecksImage healthChecks,
            QuicIdsImage quicIds,
            NodesImage nodes,
            MacAddress gatewayMac,
            SettingsImage settings,
            HealthImage health,
            FilterImage filters,
            HistoryImage history) {
        this.provenance = Objects.requireNonNull(provenance, "provenance");
        if (stateIndex < 0 || stateIndex > provenance.index()) {
            throw new IllegalArgumentException("state index must be 0.." + provenance.index() + ", got " + stateIndex);
        }
        this.stateIndex = stateIndex;
        this.vips = Objects.requireNonNull(vips, "vips");
        this.reals = Objects.requireNonNull(reals, "reals");
        this.healthChecks = Objects.requireNonNull(healthChecks, "healthChecks");
        this.quicIds = Objects.requireNonNull(quicIds, "quicIds");
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.gatewayMac = gatewayMac;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.health = Objects.requireNonNull(health, "health");
        this.filters = Objects.requireNonNull(filters, "filters");
        this.history = Objects.requireNonNull(history, "history");
    }

    public Provenance provenance() {
        return provenance;
    }

    public long term() {
        return provenance.term();
    }

    /** Log index of the last entry folded into this image. */
    public long index() {
        return provenance.index();
    }

    /** Log index of the last entry that changed the state; 0 if none ever did. */
    public long stateIndex() {
        return stateIndex;
    }

    public VipsImage vips() {
        return vips;
    }

    public RealsImage reals() {
        return reals;
    }

    public HealthChecksImage healthChecks() {
        return healthChecks;
    }

    public QuicIdsImage quicIds() {
        return quicIds;
    }

    public NodesImage nodes() {
        return nodes;
    }

    /** Next hop of forwarded frames; empty until set. */
    public Optional<MacAddress> gatewayMac() {
        return Optional.ofNullable(gatewayMac);
    }

    /** The fleet settings, finalised fleet version and node versions the log holds. */
    public SettingsImage settings() {
        return settings;
    }

    /** Health checks, votes and the fleet's verdicts (fleet version 3). */
    public HealthImage health() {
        return health;
    }

    /** The pre-filter rules (fleet version 5). */
    public FilterImage filters() {
        return filters;
    }

    /** The audit trail: the last batches applied or rejected. Not part of the state (nor of the digest). */
    public HistoryImage history() {
        return history;
    }

    /** True when the state holds nothing (whatever the provenance). */
    public boolean isEmpty() {
        return vips.isEmpty()
                && reals.isEmpty()
                && healthChecks.isEmpty()
                && quicIds.isEmpty()
                && nodes.isEmpty()
                && gatewayMac == null
                && settings.isEmpty()
                && health.isEmpty()
                && filters.isEmpty();
    }

    /** The same state with another provenance (for entries that change nothing). */
    public FleetImage withProvenance(Provenance next) {
        if (next.index() < stateIndex) {
            throw new IllegalArgumentException(
                    "provenance index " + next.index() + " is below the state index " + stateIndex);
        }
        FleetImage image = new FleetImage(
                next,
                stateIndex,
                vips,
                reals,
                healthChecks,
                quicIds,
                nodes,
                gatewayMac,
                settings,
                health,
                filters,
                history);
        image.digest = digest;
        return image;
    }

    /** SHA-256 of the canonical encoding of the state (provenance excluded). A fresh copy each call. */
    public byte[] digest() {
        byte[] d = digest;
        if (d == null) {
            d = ImageDigest.of(this);
            digest = d;
        }
        return d.clone();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest());
    }

    /** Equal state and equal provenance (the history is compared on its own: {@link #history()}). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FleetImage)) {
            return false;
        }
        FleetImage f = (FleetImage) o;
        return stateIndex == f.stateIndex && provenance.equals(f.provenance) && sameStateAs(f);
    }

    /** Equal state, whatever the provenance. */
    public boolean sameStateAs(FleetImage f) {
        return vips.equals(f.vips)
                && reals.equals(f.reals)
                && healthChecks.equals(f.healthChecks)
                && quicIds.equals(f.quicIds)
                && nodes.equals(f.nodes)
                && Objects.equals(gatewayMac, f.gatewayMac)
                && settings.equals(f.settings)
                && health.equals(f.health)
                && filters.equals(f.filters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                provenance,
                stateIndex,
                vips,
                reals,
                healthChecks,
                quicIds,
                nodes,
                gatewayMac,
                settings,
                health,
                filters);
    }

    @Override
    public String toString() {
        return "FleetImage{" + provenance + ", stateIndex=" + stateIndex + ", gatewayMac=" + gatewayMac + ", " + vips
                + ", " + reals + ", " + healthChecks + ", " + quicIds + ", " + nodes + ", " + settings + ", " + health
                + ", " + filters + ", " + history
                + "}";
    }
}
