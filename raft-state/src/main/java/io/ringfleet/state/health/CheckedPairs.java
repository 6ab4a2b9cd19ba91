package io.ringfleet.state.health;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an agent probes, read from an image: every (VIP, real) member of a VIP whose check is enabled, with the
 * check. Members of weight 0 are included (their votes are kept; the operator's weight decides the ring).
 */
public final class CheckedPairs {
    private CheckedPairs() {}

    /** Pair → its VIP's check, ascending pair. */
    public static SortedMap<HealthPair, HealthCheckSpec> of(FleetImage image) {
        TreeMap<HealthPair, HealthCheckSpec> out = new TreeMap<>();
        image.health().checks().forEach((vipNum, check) -> {
            VipImage vip = image.vips().get(vipNum).orElse(null);
            if (vip != null && check.enabled()) {
                for (VipReal member : vip.reals()) {
                    out.put(new HealthPair(vip.key(), member.address()), check.spec());
                }
            }
        });
        return Collections.unmodifiableSortedMap(out);
    }
}
