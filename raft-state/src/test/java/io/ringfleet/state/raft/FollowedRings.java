package io.ringfleet.state.raft;

import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.FleetRings;

/**
 * The rings of one peer's published images, followed step by step as an agent's ring view is (the state machine
 * holds no rings): each step rebuilds only the VIPs its delta touched, a snapshot's delta from the empty image all.
 */
final class FollowedRings implements FleetPublisher {
    private volatile FleetRings rings;

    FollowedRings(int ringSize) {
        this.rings = FleetRings.empty(ringSize);
    }

    @Override
    public void publish(FleetDelta delta, FleetImage image) {
        rings = rings.next(delta, image);
    }

    /** The rings once they are those of {@code appliedIndex} or later (the publisher runs just after the apply). */
    FleetRings at(long appliedIndex) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        FleetRings r = rings;
        while (r.provenance().index() < appliedIndex && System.nanoTime() < deadline) {
            Thread.sleep(10);
            r = rings;
        }
        return r;
    }

    @Override
    public String name() {
        return "followed-rings";
    }
}
