package io.ringfleet.agent.health;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import java.util.SortedMap;

/**
 * What the agent's health side reads from an image: which VIPs are checked and how, and the votes the log holds
 * for one node. Pure reads of the image (the check settings and the votes are log state, so every node reads the
 * same). Implemented over the image's health domain (the {@code SetVipHealthCheck} / {@code ReportRealHealth}
 * records); kept this small so the probing and reporting here do not depend on how the log stores them.
 */
public interface HealthLogReader {
    /** VIPs whose check is enabled, with its settings, ascending VIP. */
    SortedMap<VipKey, HealthCheckSpec> checks(FleetImage image);

    /** The last vote the log holds from {@code node} per pair ({@link Verdict#UP} or {@link Verdict#DOWN}). */
    SortedMap<HealthPair, Verdict> votes(FleetImage image, String node);
}
