package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.ListQuicServerIdsRequest;
import io.ringfleet.api.ListQuicServerIdsResponse;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.UnmapQuicServerIds;
import java.util.List;
import picocli.CommandLine.Parameters;

/** {@code lbctl quic ...}: QUIC server id → real mappings (Katran modifyQuicRealsMapping). */
@picocli.CommandLine.Command(
        name = "quic",
        description = "QUIC server id mappings: connection ids carrying id n go to a real.",
        subcommands = {QuicCommands.Add.class, QuicCommands.Delete.class, QuicCommands.ListIds.class})
final class QuicCommands {
    private QuicCommands() {}

    @picocli.CommandLine.Command(name = "add", description = "Map (or remap) a server id to a real.")
    static final class Add extends WriteCommand {
        @Parameters(
                index = "0",
                paramLabel = "ID",
                converter = Args.Uint32Converter.class,
                description = "Server id, from 1")
        int id;

        @Parameters(index = "1", paramLabel = "REAL", description = "The real's address (IPv4 or IPv6).")
        String address;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setMapQuicServerIds(MapQuicServerIds.newBuilder()
                            .addMappings(
                                    QuicMapping.newBuilder().setServerId(id).setAddress(address)));
        }
    }

    @picocli.CommandLine.Command(name = "delete", aliases = "del", description = "Unmap server ids.")
    static final class Delete extends WriteCommand {
        @Parameters(
                index = "0..*",
                arity = "1..*",
                paramLabel = "ID",
                converter = Args.Uint32Converter.class,
                description = "Server ids to unmap.")
        List<Integer> ids;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setUnmapQuicServerIds(UnmapQuicServerIds.newBuilder().addAllServerIds(ids));
        }
    }

    @picocli.CommandLine.Command(name = "list", aliases = "ls", description = "List server id mappings.")
    static final class ListIds extends ApiCommand {
        @Override
        int run(ApiConnection api, Output out) {
            ListQuicServerIdsResponse r =
                    api.control().listQuicServerIds(ListQuicServerIdsRequest.getDefaultInstance());
            return out.list(
                    r,
                    r.getMappingsList(),
                    (t, q) -> t.row(Integer.toUnsignedString(q.getServerId()), q.getAddress(), q.getRealIndex()),
                    "ID",
                    "REAL",
                    "INDEX");
        }
    }
}
