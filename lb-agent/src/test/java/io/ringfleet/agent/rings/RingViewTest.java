package io.ringfleet.agent.rings;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.testing.CommandLog;
import org.junit.jupiter.api.Test;

/** The agent's one owner of rings: equal to raft-state's rings of the image, each changed ring built once. */
class RingViewTest {
    private static final int RING = 4099;
    private static final VipKey WEB = vip("10.1.0.1", 80, TCP);
    private static final VipKey API = vip("10.1.0.3", 443, TCP);

    @Test
    void theRingsOfAnImageAreRaftStatesAndAreBuiltOnce() {
        RingView view = new RingView(RING);
        CommandLog log = new CommandLog();
        FleetImage first = log.apply(
                addVip(WEB), addVip(API), addReals(WEB, "10.0.0.1=1", "10.0.0.2=2"), addReals(API, "10.0.0.3=1"));
        FleetRings rings = view.of(first);
        assertArrayEquals(FleetRings.of(first, RING).digest(), rings.digest());
        assertSame(rings, view.of(first), "kept");

        view.programmed(first);
        FleetImage second = log.apply(setWeights(WEB, "10.0.0.2=5"));
        FleetRings next = view.of(second);
        assertArrayEquals(FleetRings.of(second, RING).digest(), next.digest());
        assertEquals(1, next.rebuilt(), "only the changed VIP's ring is built");
        assertSame(next, view.of(second));
        assertSame(rings, view.of(first), "the programmed image's rings stay until a newer one is programmed");

        FleetImage noop = second.withProvenance(new Provenance(2, second.index() + 1));
        assertSame(next, view.of(noop), "Raft's own entries share the state, and so the rings");
        view.programmed(noop);
        assertSame(next, view.of(second));
    }
}
