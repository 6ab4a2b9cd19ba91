package io.ringfleet.agent.health;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.health.PairVote;
import io.ringfleet.state.health.VoteKey;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@link HealthLogReader} over the image's health domain ({@link FleetImage#health()}): the enabled checks by
 * VIP key, and one node's votes by (VIP key, real address), translated from the ids the log allocated.
 */
public final class ImageHealthLog implements HealthLogReader {
    @Override
    public SortedMap<VipKey, HealthCheckSpec> checks(FleetImage image) {
        TreeMap<VipKey, HealthCheckSpec> out = new TreeMap<>();
        image.health().checks().forEach((vipNum, check) -> {
            if (check.enabled()) {
                image.vips().get(vipNum).ifPresent(vip -> out.put(vip.key(), check.spec()));
            }
        });
        return out;
    }

    @Override
    public SortedMap<HealthPair, Verdict> votes(FleetImage image, String node) {
        TreeMap<HealthPair, Verdict> out = new TreeMap<>();
        for (Map.Entry<VoteKey, PairVote> e : image.health().votes().entrySet()) {
            if (e.getKey().node().equals(node)) {
                pair(image, e.getKey())
                        .ifPresent(pair -> out.put(pair, e.getValue().up() ? Verdict.UP : Verdict.DOWN));
            }
        }
        return out;
    }

    private static Optional<HealthPair> pair(FleetImage image, VoteKey key) {
        Optional<VipImage> vip = image.vips().get(key.pair().vipNum());
        Optional<VipReal> real = vip.flatMap(v -> v.real(key.pair().realIndex()));
        return real.map(r -> new HealthPair(vip.get().key(), r.address()));
    }
}
