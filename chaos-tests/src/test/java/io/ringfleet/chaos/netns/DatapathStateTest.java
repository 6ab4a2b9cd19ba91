package io.ringfleet.chaos.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetRings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every LB must hold for an image, and its digest (no kernel needed). */
class DatapathStateTest {
    private static final VipKey VIP = VipKey.newBuilder()
            .setAddress("10.200.0.1")
            .setPort(80)
            .setProtocol(Protocol.TCP)
            .build();

    private static FleetImage image(LocalFleetLog log, String... reals) {
        AddReals.Builder add = AddReals.newBuilder().setVip(VIP);
        for (String r : reals) {
            add.addReals(RealSpec.newBuilder().setAddress(r).setWeight(1));
        }
        return log.submit(
                "a",
                List.of(
                        Command.newBuilder()
                                .setAddVip(AddVip.newBuilder().setVip(VIP))
                                .build(),
                        Command.newBuilder().setAddReals(add).build()));
    }

    @Test
    void equalImagesGiveEqualDigestsAndAnotherRealSetAnother() {
        DatapathState a = DatapathState.of(image(new LocalFleetLog(FleetLimits.DEFAULT), "10.77.101.2", "10.77.102.2"));
        DatapathState b = DatapathState.of(image(new LocalFleetLog(FleetLimits.DEFAULT), "10.77.101.2", "10.77.102.2"));
        DatapathState c = DatapathState.of(image(new LocalFleetLog(FleetLimits.DEFAULT), "10.77.101.2", "10.77.103.2"));
        assertEquals(a.digestHex(), b.digestHex());
        assertNotEquals(a.digestHex(), c.digestHex());
        assertEquals(64, a.digestHex().length());
    }

    @Test
    void removingARealMovesItsSlotsAndFewOthersAndAddingItBackRestoresTheRing() {
        LocalFleetLog log = new LocalFleetLog(FleetLimits.DEFAULT);
        DatapathState three = DatapathState.of(image(log, "10.77.101.2", "10.77.102.2", "10.77.103.2"));
        int be3 = three.realIndexOf(Addresses.address("10.77.103.2"));
        assertEquals(3, be3);
        assertTrue(Math.abs(three.slotsOf(0, be3) - 65537 / 3) <= 1, "a third of the ring");
        DatapathState two = DatapathState.of(log.submit(
                "rm",
                List.of(Command.newBuilder()
                        .setRemoveReals(RemoveReals.newBuilder().setVip(VIP).addAddresses("10.77.103.2"))
                        .build())));
        assertEquals(0, two.slotsOf(0, be3));
        assertEquals(-1, two.realIndexOf(Addresses.address("10.77.103.2")), "its reals entry goes too");
        int others = three.slotsMovedExcept(two, 0, be3);
        assertTrue(others < 100, "slots that changed owner without involving the removed real: " + others);
        DatapathState back = DatapathState.of(log.submit(
                "add",
                List.of(Command.newBuilder()
                        .setAddReals(AddReals.newBuilder()
                                .setVip(VIP)
                                .addReals(RealSpec.newBuilder()
                                        .setAddress("10.77.103.2")
                                        .setWeight(1)))
                        .build())));
        assertEquals(three.digestHex(), back.digestHex());
        assertEquals(0, three.slotsDiffering(back, 0));
    }

    @Test
    void theRingDigestHasFleetRingsFormat() {
        FleetImage image = image(new LocalFleetLog(FleetLimits.DEFAULT), "10.77.101.2", "10.77.102.2", "10.77.103.2");
        assertEquals(
                FleetRings.of(image, 65537).digestHex(), DatapathState.of(image).ringDigestHex());
        assertNotEquals(
                DatapathState.of(image).digestHex(), DatapathState.of(image).ringDigestHex());
    }

    @Test
    void ipv6AddressesAreWrittenCompressed() throws Exception {
        assertEquals("fd77:200::1", Addresses.text(Addresses.address("fd77:200:0:0:0:0:0:1")));
        assertEquals("::1", Addresses.text(Addresses.address("::1")));
        assertEquals("1::", Addresses.text(Addresses.address("1::")));
        assertEquals("fd77:0:11::2", Addresses.text(Addresses.address("fd77:0:11:0:0:0:0:2")));
        assertEquals("1:0:2::3", Addresses.text(Addresses.address("1:0:2:0:0:0:0:3")));
        assertEquals("10.77.0.1", Addresses.text(Addresses.address("10.77.0.1")));
    }
}
