package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.HealthCheckDst;
import io.ringfleet.api.ListHealthCheckDstsRequest;
import io.ringfleet.api.ListHealthCheckDstsResponse;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.SetHealthCheckDst;
import java.util.List;
import picocli.CommandLine.Mixin;
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
    static final class Add extends ApiCommand {
        @Mixin
        WriteOptions write;

        @Parameters(
                index = "0",
                paramLabel = "SOMARK",
                converter = Args.Uint32Converter.class,
                description = "1..4294967295")
        int somark;

        @Parameters(index = "1", paramLabel = "ADDRESS")
        String address;

        @Override
        int run(ApiConnection api, Output out) {
            return write.apply(
                    api,
                    out,
                    List.of(Command.newBuilder()
                            .setSetHealthCheckDst(SetHealthCheckDst.newBuilder()
                                    .setSomark(somark)
                                    .setAddress(address))
                            .build()));
        }
    }

    @picocli.CommandLine.Command(name = "delete", aliases = "del", description = "Remove an SO_MARK mapping.")
    static final class Delete extends ApiCommand {
        @Mixin
        WriteOptions write;

        @Parameters(index = "0", paramLabel = "SOMARK", converter = Args.Uint32Converter.class)
        int somark;

        @Override
        int run(ApiConnection api, Output out) {
            return write.apply(
                    api,
                    out,
                    List.of(Command.newBuilder()
                            .setRemoveHealthCheckDst(
                                    RemoveHealthCheckDst.newBuilder().setSomark(somark))
                            .build()));
        }
    }

    @picocli.CommandLine.Command(name = "list", aliases = "ls", description = "List SO_MARK mappings.")
    static final class ListDsts extends ApiCommand {
        @Override
        int run(ApiConnection api, Output out) {
            ListHealthCheckDstsResponse r =
                    api.control().listHealthCheckDsts(ListHealthCheckDstsRequest.getDefaultInstance());
            if (out.json()) {
                out.json(r);
                return ExitCodes.OK;
            }
            Output.Table t = out.table("SOMARK", "DESTINATION");
            for (HealthCheckDst d : r.getDstsList()) {
                t.row(Integer.toUnsignedString(d.getSomark()), d.getAddress());
            }
            t.print();
            return ExitCodes.OK;
        }
    }
}
