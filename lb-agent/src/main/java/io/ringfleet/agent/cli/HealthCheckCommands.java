package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.ListHealthCheckDstsRequest;
import io.ringfleet.api.ListHealthCheckDstsResponse;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.SetHealthCheckDst;
import picocli.CommandLine.Parameters;

/** {@code lbctl hc ...}: health-check SO_MARK → destination mappings (Katran -new_hc / -del_hc / -list_hc). */
@picocli.CommandLine.Command(
        name = "hc",
        description = "Health-check destinations: packets with SO_MARK m are sent to an address.",
        subcommands = {
            HealthCheckCommands.Add.class,
            HealthCheckCommands.Delete.class,
            HealthCheckCommands.ListDsts.class
        })
final class HealthCheckCommands {
    private HealthCheckCommands() {}

    @picocli.CommandLine.Command(name = "add", description = "Map an SO_MARK to a destination (set or replace).")
    static final class Add extends WriteCommand {
        @Parameters(
                index = "0",
                paramLabel = "SOMARK",
                converter = Args.Uint32Converter.class,
                description = "1..4294967295")
        int somark;

        @Parameters(
                index = "1",
                paramLabel = "ADDRESS",
                description = "Where health-check packets with this SO_MARK are sent (IPv4 or IPv6).")
        String address;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setSetHealthCheckDst(
                            SetHealthCheckDst.newBuilder().setSomark(somark).setAddress(address));
        }
    }

    @picocli.CommandLine.Command(name = "delete", aliases = "del", description = "Remove an SO_MARK mapping.")
    static final class Delete extends WriteCommand {
        @Parameters(
                index = "0",
                paramLabel = "SOMARK",
                converter = Args.Uint32Converter.class,
                description = "The SO_MARK whose mapping to remove.")
        int somark;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setRemoveHealthCheckDst(RemoveHealthCheckDst.newBuilder().setSomark(somark));
        }
    }

    @picocli.CommandLine.Command(name = "list", aliases = "ls", description = "List SO_MARK mappings.")
    static final class ListDsts extends ApiCommand {
        @Override
        int run(ApiConnection api, Output out) {
            ListHealthCheckDstsResponse r =
                    api.control().listHealthCheckDsts(ListHealthCheckDstsRequest.getDefaultInstance());
            return out.list(
                    r,
                    r.getDstsList(),
                    (t, d) -> t.row(Integer.toUnsignedString(d.getSomark()), d.getAddress()),
                    "SOMARK",
                    "DESTINATION");
        }
    }
}
