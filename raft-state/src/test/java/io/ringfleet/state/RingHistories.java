package io.ringfleet.state;

import java.util.List;

/**
 * Tests' view of an image without its VIPs' ring histories. The history is pushed once per log entry, so a
 * prefix of the log replayed as one delta (everything the entries did, but one push) gives the same state
 * except the histories; these tests compare that state, and the entry-by-entry replays compare everything.
 */
public final class RingHistories {
    private RingHistories() {}

    public static FleetImage stripped(FleetImage image) {
        VipsDelta vips = new VipsDelta(image.vips());
        for (VipImage vip : image.vips().all()) {
            if (!vip.ringHistory().isEmpty()) {
                vips.put(vip.withRingHistory(List.of()));
            }
        }
        return new FleetImage(
                image.provenance(),
                image.stateIndex(),
                vips.current(),
                image.reals(),
                image.healthChecks(),
                image.quicIds(),
                image.nodes(),
                image.gatewayMac().orElse(null),
                image.settings(),
                image.health(),
                image.filters(),
                image.history());
    }
}
