package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.GetGatewayMacRequest;
import io.ringfleet.api.GetGatewayMacResponse;
import io.ringfleet.api.SetGatewayMac;
import picocli.CommandLine.Parameters;

/** {@code lbctl mac ...}: the next-hop MAC of forwarded frames (Katran changeMac / getMac). */
@picocli.CommandLine.Command(
        name = "mac",
        description = "The gateway (next-hop) MAC of forwarded frames.",
        subcommands = {MacCommands.Set.class, MacCommands.Show.class})
final class MacCommands {
    private MacCommands() {}

    @picocli.CommandLine.Command(name = "set", description = "Change the gateway MAC.")
    static final class Set extends WriteCommand {
        @Parameters(index = "0", paramLabel = "MAC", description = "aa:bb:cc:dd:ee:ff")
        String mac;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setSetGatewayMac(SetGatewayMac.newBuilder().setMac(mac));
        }
    }

    @picocli.CommandLine.Command(name = "show", description = "Show the gateway MAC.")
    static final class Show extends ApiCommand {
        @Override
        int run(ApiConnection api, Output out) {
            GetGatewayMacResponse r = api.control().getGatewayMac(GetGatewayMacRequest.getDefaultInstance());
            return out.show(r, () -> r.getMac().isEmpty() ? "(not set)" : r.getMac());
        }
    }
}
