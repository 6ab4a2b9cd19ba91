package io.ringfleet.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.GatewayMacSet;
import io.ringfleet.api.HealthCheckMarkSet;
import io.ringfleet.api.NodeDrained;
import io.ringfleet.state.testing.Commands;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FleetDelta}'s views of the state after the records so far (what the validator reads). */
class FleetDeltaViewsTest {
    @Test
    void eachViewIsTheStateAfterTheRecordsSoFarAndNeverChangesAfterwards() {
        List<FleetRecord> records = List.of(
                FleetDeltaTest.vipAdded(0, "10.200.1.1", 80, Commands.TCP),
                FleetDeltaTest.realsAdded(0, 1, "10.0.0.1", 1, 2, "10.0.0.2", 5),
                FleetDeltaTest.vipAdded(1, "10.200.1.2", 80, Commands.TCP),
                FleetDeltaTest.realsAdded(1, 2, "10.0.0.2", 1),
                FleetRecord.newBuilder()
                        .setHealthCheckMarkSet(HealthCheckMarkSet.newBuilder()
                                .setSomark(7)
                                .setAddress(IpAddress.parse("10.0.0.9").toByteString()))
                        .build(),
                FleetDeltaTest.quicMapped(3, 3, "10.0.0.3"),
                FleetRecord.newBuilder()
                        .setNodeDrained(
                                NodeDrained.newBuilder().setNodeId("lb-1").setReason("r"))
                        .build(),
                FleetRecord.newBuilder()
                        .setGatewayMacSet(GatewayMacSet.newBuilder()
                                .setMac(MacAddress.parse("02:00:00:00:00:01").toByteString()))
                        .build(),
                FleetDeltaTest.realsRemoved(0, 1),
                FleetDeltaTest.vipRemoved(1));
        FleetImage base =
                FleetDeltaTest.replay(FleetImage.EMPTY, 1, FleetDeltaTest.vipAdded(5, "10.200.9.9", 443, Commands.UDP));
        FleetDelta delta = new FleetDelta(base);
        assertSame(base.vips(), delta.vipsAfter(), "untouched domains are the base's sub-images");
        assertSame(base.reals(), delta.realsAfter());
        for (int k = 0; k < records.size(); k++) {
            VipsImage vipsBefore = delta.vipsAfter();
            RealsImage realsBefore = delta.realsAfter();
            String vipsText = vipsBefore.toString();
            String realsText = realsBefore.toString();
            delta.replay(records.get(k));

            FleetDelta prefix = new FleetDelta(base);
            prefix.replayAll(records.subList(0, k + 1));
            FleetImage expected = prefix.apply(new Provenance(1, 2));
            String where = "after record " + k;
            assertEquals(expected.vips(), delta.vipsAfter(), where);
            assertEquals(expected.reals(), delta.realsAfter(), where);
            assertEquals(expected.healthChecks(), delta.healthChecksAfter(), where);
            assertEquals(expected.quicIds(), delta.quicIdsAfter(), where);
            assertEquals(expected.nodes(), delta.nodesAfter(), where);
            assertEquals(expected.gatewayMac(), delta.gatewayMacAfter(), where);
            assertEquals(vipsText, vipsBefore.toString(), where + ": an earlier view is immutable");
            assertEquals(realsText, realsBefore.toString(), where);
        }
        FleetImage applied = delta.apply(new Provenance(1, 2));
        assertSame(applied.vips(), delta.vipsAfter(), "apply wraps the same sub-images");
        assertSame(applied.reals(), delta.realsAfter());
    }
}
