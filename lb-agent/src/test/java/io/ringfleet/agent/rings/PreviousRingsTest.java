package io.ringfleet.agent.rings;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.modifyFlags;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import org.junit.jupiter.api.Test;

/**
 * Previous rings from the images' ring histories: each equals the ring the VIP had before its last change
 * (the current rings of the earlier image, built independently by {@link FleetRings}).
 */
class PreviousRingsTest {
    private static final int RING_SIZE = 1031;
    private static final VipKey WEB = Commands.vip("10.200.1.1", 80, Commands.TCP);
    private static final VipKey DNS = Commands.vip("10.200.1.2", 53, Commands.UDP);

    private final CommandLog log =
            new CommandLog(FleetLimits.DEFAULT, io.ringfleet.state.FleetVersions.Rule.RING_HISTORY.version());
    private FleetImage image = log.image();
    private FleetRings current = FleetRings.of(image, RING_SIZE);
    private PreviousRings previous = PreviousRings.empty(RING_SIZE);

    private int num(VipKey key) {
        return image.vips()
                .get(io.ringfleet.agent.rings.PreviousRingsTest.stateKey(key))
                .orElseThrow()
                .vipNum();
    }

    private static io.ringfleet.state.VipKey stateKey(VipKey key) {
        return new io.ringfleet.state.VipKey(
                io.ringfleet.state.IpAddress.parse(key.getAddress()),
                key.getPort(),
                io.ringfleet.state.Protocol.fromProto(key.getProtocol()));
    }

    /** One log entry, then the next current and previous rings. */
    private void step(io.ringfleet.api.Command... commands) {
        FleetImage before = image;
        FleetRings currentBefore = current;
        image = log.apply(commands);
        current = current.next(image);
        previous = previous.next(before, image, n -> currentBefore.ring(n).map(FleetRings.VipRing::ring));
    }

    @Test
    void aWeightChangeMakesTheCurrentRingThePreviousOneWithoutABuild() {
        step(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        assertTrue(previous.rings().isEmpty(), "a new VIP has no previous ring");
        MaglevRing before = current.ring(num(WEB)).orElseThrow().ring();

        step(setWeights(WEB, "10.0.0.2=4"));
        assertSame(before, previous.ring(num(WEB)).orElseThrow(), "the ring that was current, not a copy");
        assertEquals(0, previous.rebuilt());
        assertTrue(!before.equals(current.ring(num(WEB)).orElseThrow().ring()), "the ring did change");
    }

    @Test
    void anUntouchedVipCostsNothingAndAFlagChangeKeepsThePreviousRing() {
        step(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1"), addVip(DNS), addReals(DNS, "10.0.0.5=1"));
        step(setWeights(WEB, "10.0.0.1=3"), setWeights(DNS, "10.0.0.5=2"));
        MaglevRing webPrevious = previous.ring(num(WEB)).orElseThrow();
        step(setWeights(DNS, "10.0.0.5=3"));
        assertSame(webPrevious, previous.ring(num(WEB)).orElseThrow());
        step(modifyFlags(WEB, VipFlags.LRU_BYPASS, 0));
        assertSame(webPrevious, previous.ring(num(WEB)).orElseThrow());
        assertEquals(0, previous.rebuilt());
    }

    @Test
    void fromScratchTheRingIsBuiltFromTheHistoryAndEqualsTheOldCurrentRing() {
        step(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        MaglevRing before = current.ring(num(WEB)).orElseThrow().ring();
        step(setWeights(WEB, "10.0.0.3=9"));
        // An agent that starts now (snapshot, restart) has no current ring of the earlier image to reuse.
        PreviousRings fresh =
                PreviousRings.empty(RING_SIZE).next(FleetImage.EMPTY, image, n -> java.util.Optional.empty());
        assertEquals(1, fresh.rebuilt());
        assertEquals(before, fresh.ring(num(WEB)).orElseThrow());
    }

    @Test
    void aRemovedVipLosesItsPreviousRing() {
        step(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1"));
        step(setWeights(WEB, "10.0.0.1=2"));
        int webNum = num(WEB);
        step(removeVip(WEB));
        assertTrue(previous.ring(webNum).isEmpty());
    }
}
