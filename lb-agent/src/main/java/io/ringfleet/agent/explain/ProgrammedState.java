package io.ringfleet.agent.explain;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import java.util.Objects;

/**
 * What a node's kernel holds: the programmed log index, the image of that index and its rings (what the map
 * programmer wrote into vip_map, reals, ch_rings, quic_ids and down_reals).
 */
public record ProgrammedState(long index, FleetImage image, FleetRings rings) {
    public ProgrammedState {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(rings, "rings");
        if (!rings.isOf(image)) {
            throw new IllegalArgumentException("the rings " + rings + " are not those of the image at " + index);
        }
    }
}
