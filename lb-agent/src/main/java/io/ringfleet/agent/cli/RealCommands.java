package io.ringfleet.agent.cli;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.ClearRealDown;
import io.ringfleet.api.Command;
import io.ringfleet.api.ListRealsRequest;
import io.ringfleet.api.ListRealsResponse;
import io.ringfleet.api.MarkRealDown;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealInfo;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.VipKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lbctl real ...}: Katran's -a / -d / -w on the reals of a VIP. */
@picocli.CommandLine.Command(
        name = "real",
        description = "Add, delete, re-weight, list the reals of a VIP; mark reals down.",
        subcommands = {
            RealCommands.Add.class,
            RealCommands.Delete.class,
            RealCommands.Weight.class,
            RealCommands.ListReals.class,
            RealCommands.Down.class,
            RealCommands.Up.class,
            RealHealthCommand.class
        })
final class RealCommands {
    private RealCommands() {}

    static void printMembers(Output out, List<RealInfo> reals) {
        Output.Table t = out.table("REAL", "INDEX", "WEIGHT", "DOWN");
        for (RealInfo r : reals) {
            t.row(r.getAddress(), r.getRealIndex(), r.getWeight(), r.getDown() ? "down" : "");
        }
        t.print();
    }

    private static List<RealSpec> specs(List<String> addresses, int weight) {
        List<RealSpec> out = new ArrayList<>();
        for (String a : addresses) {
            out.add(RealSpec.newBuilder().setAddress(a).setWeight(weight).build());
        }
        return out;
    }

    @picocli.CommandLine.Command(name = "add", description = "Add reals to a VIP (Katran modifyRealsForVip ADD).")
    static final class Add extends VipWriteCommand {
        @Parameters(index = "2..*", arity = "1..*", paramLabel = "REAL", description = "Real addresses (IPv4 or IPv6).")
        List<String> reals;

        @Option(
                names = {"-w", "--weight"},
                defaultValue = "1",
                converter = Args.Uint32Converter.class,
                description = "Weight 0..65535 (default ${DEFAULT-VALUE}).")
        int weight;

        @Option(names = "--update", description = "Set the weight of reals already in the VIP instead of refusing.")
        boolean update;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setAddReals(AddReals.newBuilder()
                            .setVip(vip.key())
                            .addAllReals(specs(reals, weight))
                            .setUpdateExisting(update));
        }
    }

    @picocli.CommandLine.Command(
            name = "delete",
            aliases = "del",
            description = "Remove reals from a VIP (Katran modifyRealsForVip DEL).")
    static final class Delete extends VipWriteCommand {
        @Parameters(index = "2..*", arity = "1..*", paramLabel = "REAL", description = "Real addresses.")
        List<String> reals;

        @Option(names = "--ignore-missing", description = "Skip reals that are not in the VIP instead of refusing.")
        boolean ignoreMissing;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setRemoveReals(RemoveReals.newBuilder()
                            .setVip(vip.key())
                            .addAllAddresses(reals)
                            .setIgnoreMissing(ignoreMissing));
        }
    }

    @picocli.CommandLine.Command(
            name = "weight",
            description = "Set the weight of reals already in a VIP (0 takes them out of the ring).")
    static final class Weight extends VipWriteCommand {
        @Parameters(index = "2..*", arity = "1..*", paramLabel = "REAL", description = "Real addresses.")
        List<String> reals;

        @Option(
                names = {"-w", "--weight"},
                required = true,
                converter = Args.Uint32Converter.class,
                description = "New weight 0..65535.")
        int weight;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setSetRealWeights(
                            SetRealWeights.newBuilder().setVip(vip.key()).addAllReals(specs(reals, weight)));
        }
    }

    @picocli.CommandLine.Command(
            name = "list",
            aliases = "ls",
            description = "List the reals of a VIP, or the fleet's reals table.")
    static final class ListReals extends ApiCommand {
        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "PROTO",
                converter = Args.ProtocolConverter.class,
                description = "tcp or udp (with VIP)")
        Protocol protocol;

        @Parameters(
                index = "1",
                arity = "0..1",
                paramLabel = "VIP",
                converter = Args.EndpointConverter.class,
                description = "ADDRESS:PORT; without PROTO and VIP: the global reals table")
        Args.Endpoint endpoint;

        @Override
        int run(ApiConnection api, Output out) throws LbctlException {
            Optional<VipKey> vip = Args.optionalVip(protocol, endpoint);
            ListRealsRequest.Builder b = ListRealsRequest.newBuilder();
            vip.ifPresent(b::setVip);
            ListRealsResponse r = api.control().listReals(b.build());
            if (vip.isPresent() && !out.json()) {
                printMembers(out, r.getRealsList());
                return ExitCodes.OK;
            }
            return out.list(
                    r,
                    r.getRealsList(),
                    (t, real) -> t.row(real.getAddress(), real.getRealIndex(), real.getReferences()),
                    "REAL",
                    "INDEX",
                    "REFERENCES");
        }
    }

    /** A write to one real of a VIP: {@code PROTO VIP REAL}. */
    abstract static class OneReal extends VipWriteCommand {
        @Parameters(index = "2", paramLabel = "REAL", description = "The real's address (IPv4 or IPv6).")
        String real;
    }

    @picocli.CommandLine.Command(
            name = "down",
            description = "Mark a real of a UDP flow-migration VIP down (its flows are re-hashed).")
    static final class Down extends OneReal {
        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setMarkRealDown(MarkRealDown.newBuilder().setVip(vip.key()).setAddress(real));
        }
    }

    @picocli.CommandLine.Command(name = "up", description = "Clear a real's down mark.")
    static final class Up extends OneReal {
        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setClearRealDown(
                            ClearRealDown.newBuilder().setVip(vip.key()).setAddress(real));
        }
    }
}
