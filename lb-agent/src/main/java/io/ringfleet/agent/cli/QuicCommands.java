package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.ListQuicServerIdsRequest;
import io.ringfleet.api.ListQuicServerIdsResponse;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.QuicServerId;
import io.ringfleet.api.UnmapQuicServerIds;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lbctl quic ...}: QUIC server id → real mappings (Katran modifyQuicRealsMapping). */
@picocli.CommandLine.Command(
        name = "quic",
        description = "QUIC server id mappings: connection ids carrying id n go to a real.",
        subcommands = {QuicCommands.Add.class, QuicCommands.Delete.class, QuicCommands.ListIds.class})
final class QuicCommands {
    private QuicCommands() {}

    @picocli.CommandLine.Command(name = "add", description = "Map (or remap) a server id to a real.")
    static final class Add extends ApiCommand {
        @Mixin
        WriteOptions write;

        @Parameters(
                index = "0",
                paramLabel = "ID",
                converter = Args.Uint32Converter.class,
                description = "Server id, from 1")
        int id;

        @Parameters(index = "1", paramLabel = "REAL")
        String address;

        @Override
        int run(ApiConnection api, Output out) {
            return write.apply(
                    api,
                    out,
                    List.of(Command.newBuilder()
                            .setMapQuicServerIds(MapQuicServerIds.newBuilder()
                                    .addMappings(QuicMapping.newBuilder()
                                            .setServerId(id)
                                            .setAddress(address)))
                            .build()));
        }
    }

    @picocli.CommandLine.Command(name = "delete", aliases = "del", description = "Unmap server ids.")
    static final class Delete extends ApiCommand {
        @Mixin
        WriteOptions write;

        @Parameters(index = "0..*", arity = "1..*", paramLabel = "ID", converter = Args.Uint32Converter.class)
        List<Integer> ids;

        @Override
        int run(ApiConnection api, Output out) {
            return write.apply(
                    api,
                    out,
                    List.of(Command.newBuilder()
                            .setUnmapQuicServerIds(
                                    UnmapQuicServerIds.newBuilder().addAllServerIds(ids))
                            .build()));
        }
    }

    @picocli.CommandLine.Command(name = "list", aliases = "ls", description = "List server id mappings.")
    static final class ListIds extends ApiCommand {
        @Override
        int run(ApiConnection api, Output out) {
            ListQuicServerIdsResponse r =
                    api.control().listQuicServerIds(ListQuicServerIdsRequest.getDefaultInstance());
            if (out.json()) {
                out.json(r);
                return ExitCodes.OK;
            }
            Output.Table t = out.table("ID", "REAL", "INDEX");
            for (QuicServerId q : r.getMappingsList()) {
                t.row(Integer.toUnsignedString(q.getServerId()), q.getAddress(), q.getRealIndex());
            }
            t.print();
            return ExitCodes.OK;
        }
    }
}
