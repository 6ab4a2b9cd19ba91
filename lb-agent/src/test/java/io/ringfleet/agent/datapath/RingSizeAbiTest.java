package io.ringfleet.agent.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.AbiLayout;
import io.ringfleet.state.FleetLimits;
import org.junit.jupiter.api.Test;

/**
 * The ring size is defined once in C (RF_RING_SIZE, rf_abi.h) and once in Java (FleetLimits.RING_SIZE, which the
 * config, the state machine's defaults and the ring map's size use). This module sees both, so it pins them together.
 */
class RingSizeAbiTest {
    @Test
    void javaRingSizeIsTheOneTheShimReports() {
        assertEquals(AbiLayout.constant("RF_RING_SIZE"), FleetLimits.RING_SIZE);
        assertEquals(FleetLimits.RING_SIZE, DatapathConfig.RING_SIZE);
    }
}
