package io.ringfleet.agent.health;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pairs an image says to probe (pure): every real of every VIP whose check is enabled, each with the SO_MARK
 * that the image's health-check destinations tie to the real's address. The mark is the lowest such mark, so
 * every node picks the same one and it only changes when the destinations do. A pair whose real has no
 * destination cannot be probed through the forwarder (an unmarked probe would reach whichever real the VIP
 * picks): it is listed in {@link #withoutDestination}, not probed.
 *
 * @param targets pair to what to probe, ascending pair
 * @param withoutDestination checked pairs whose real has no health-check destination
 */
public record ProbePlan(SortedMap<HealthPair, ProbeTarget> targets, SortedSet<HealthPair> withoutDestination) {
    public static final ProbePlan NONE = new ProbePlan(new TreeMap<>(), new TreeSet<>());

    public ProbePlan {
        targets = Collections.unmodifiableSortedMap(new TreeMap<>(targets));
        withoutDestination = Collections.unmodifiableSortedSet(new TreeSet<>(withoutDestination));
    }

    /** The plan for image, whose checked VIPs (from the log) are {@code checks}. */
    public static ProbePlan of(FleetImage image, SortedMap<VipKey, HealthCheckSpec> checks) {
        Map<IpAddress, Long> marks = lowestMarkByAddress(image);
        TreeMap<HealthPair, ProbeTarget> targets = new TreeMap<>();
        TreeSet<HealthPair> missing = new TreeSet<>();
        checks.forEach((vip, spec) -> {
            Optional<VipImage> v = image.vips().get(vip);
            if (v.isEmpty()) {
                return; // the check outlived its VIP for this image: nothing to probe
            }
            for (VipReal real : v.get().reals()) {
                HealthPair pair = new HealthPair(vip, real.address());
                Long mark = marks.get(real.address());
                if (mark == null) {
                    missing.add(pair);
                } else {
                    targets.put(pair, new ProbeTarget(pair, (int) mark.longValue(), spec));
                }
            }
        });
        return new ProbePlan(targets, missing);
    }

    private static Map<IpAddress, Long> lowestMarkByAddress(FleetImage image) {
        TreeMap<IpAddress, Long> out = new TreeMap<>();
        // ascending mark: the first mark seen for an address is its lowest
        image.healthChecks().all().forEach((mark, address) -> out.putIfAbsent(address, mark));
        return out;
    }
}
