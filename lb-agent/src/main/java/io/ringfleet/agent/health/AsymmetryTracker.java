package io.ringfleet.agent.health;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.PairVote;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.health.VipHealthCheck;
import io.ringfleet.state.health.VoteKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Asymmetric reachability as this node sees it: the checked pairs where this node's vote in the log differs from
 * the fleet's quorum verdict (before damping, so a held-down real its probes see up is not counted) for longer
 * than the check's fall × interval. One LB that cannot reach a real the others reach is not a fleet change; this
 * is how it is reported ({@code ringfleet_health_asymmetric_pairs}).
 *
 * <p>Fed every programmed image with this node's clock; a disagreement starts and ends with a log entry, so an
 * image is enough to see both. Thread-safe.
 */
public final class AsymmetryTracker {
    private final String nodeId;
    /** Pair → when this node first saw its vote differ from the fleet, and the check's fall × interval. */
    private final Map<RealPair, Since> disagreeing = new HashMap<>();

    private record Since(long sinceMillis, long graceMillis) {}

    public AsymmetryTracker(String nodeId) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    /** Takes the disagreements of image (this node's votes against the quorum verdicts) as of nowMillis. */
    public synchronized void imageProgrammed(FleetImage image, long nowMillis) {
        Map<RealPair, Long> now = new TreeMap<>();
        for (Map.Entry<VoteKey, PairVote> e : image.health().votes().entrySet()) {
            RealPair pair = e.getKey().pair();
            if (!e.getKey().node().equals(nodeId)) {
                continue;
            }
            PairVerdict fleet = image.health().verdict(pair);
            boolean differs = e.getValue().up() == fleet.votedDown();
            image.health()
                    .check(pair.vipNum())
                    .filter(VipHealthCheck::enabled)
                    .filter(check -> differs)
                    .ifPresent(check -> now.put(
                            pair, (long) check.spec().fall() * check.spec().intervalMillis()));
        }
        disagreeing.keySet().retainAll(now.keySet());
        now.forEach((pair, grace) -> disagreeing.putIfAbsent(pair, new Since(nowMillis, grace)));
    }

    /** Pairs whose disagreement has lasted longer than their check's fall × interval at nowMillis. */
    public synchronized int asymmetricPairs(long nowMillis) {
        return (int) disagreeing.values().stream()
                .filter(s -> nowMillis - s.sinceMillis() > s.graceMillis())
                .count();
    }
}
