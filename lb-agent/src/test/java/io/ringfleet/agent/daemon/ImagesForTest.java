package io.ringfleet.agent.daemon;

import io.ringfleet.api.Command;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;

/** Fleet images made the way the log makes them (raft-state's BatchApplier). */
final class ImagesForTest {
    private ImagesForTest() {}

    /** An image with one TCP VIP on port 80 per address. */
    static FleetImage withVips(String... addresses) {
        Command[] adds = new Command[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            adds[i] = Commands.addVip(Commands.vip(addresses[i], 80, Commands.TCP));
        }
        return new CommandLog().apply(adds);
    }
}
