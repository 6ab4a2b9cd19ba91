package io.ringfleet.state.command;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.batch;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetLimits;
import org.junit.jupiter.api.Test;

class BatchDefaultsTest {
    private static final VipKey WEB = vip("10.200.1.1", 80, TCP);
    private static final VipKey API = vip("10.200.1.2", 80, TCP);
    private static final FleetLimits V2 = FleetLimits.builder()
            .defaultHashFunction(io.ringfleet.state.HashFunction.MAGLEV_V2)
            .build();

    @Test
    void anAddVipWithoutAHashFunctionGetsTheDefaultAndTheRestIsKept() {
        Command explicitV1 = Command.newBuilder()
                .setAddVip(AddVip.newBuilder().setVip(API).setHashFunction(HashFunction.MAGLEV))
                .build();
        CommandBatch sent = batch(addVip(WEB), addReals(WEB, "10.0.0.1=1"), explicitV1).toBuilder()
                .setPrincipal("alice")
                .setRequestId("r1")
                .build();

        CommandBatch resolved = BatchDefaults.resolve(sent, V2);

        assertTrue(resolved.getCommands(0).getAddVip().hasHashFunction());
        assertEquals(HashFunction.MAGLEV_V2, resolved.getCommands(0).getAddVip().getHashFunction());
        assertEquals(HashFunction.MAGLEV, resolved.getCommands(2).getAddVip().getHashFunction(), "explicit V1 stays");
        assertEquals(sent.getCommands(1), resolved.getCommands(1));
        assertEquals(
                sent.toBuilder().clearCommands().build(),
                resolved.toBuilder().clearCommands().build(),
                "principal, request id and everything else unchanged");
        assertEquals(
                HashFunction.MAGLEV,
                BatchDefaults.resolve(sent, FleetLimits.DEFAULT)
                        .getCommands(0)
                        .getAddVip()
                        .getHashFunction());
    }

    @Test
    void aBatchWithNothingMissingIsReturnedAsIs() {
        CommandBatch sent = batch(addReals(WEB, "10.0.0.1=1"));
        assertSame(sent, BatchDefaults.resolve(sent, V2));
    }
}
