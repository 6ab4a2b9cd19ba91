package io.ringfleet.state.command;

import io.ringfleet.state.FleetImage;

/**
 * Which node ids may stamp a batch as its via-node: the fleet's peers, as the image knows them. Validation
 * asks it at apply time, so it must read only the image. Until the image holds the fleet's peers,
 * {@link #ANY_WELL_FORMED} admits every id that {@link ProvenanceRules} found well-formed; the fleet-settings
 * work plugs in a roster that reads the peers from the image ({@link CommandValidator#CommandValidator(
 * io.ringfleet.state.FleetLimits, PeerRoster)}).
 */
@FunctionalInterface
public interface PeerRoster {
    /** Admits every well-formed id: the image does not list the peers. */
    PeerRoster ANY_WELL_FORMED = (image, nodeId) -> true;

    /** True if {@code nodeId} is one of the fleet's peers in {@code image}. */
    boolean admits(FleetImage image, String nodeId);
}
