package io.ringfleet.agent.cli;

import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.GetVipFlagsResponse;
import io.ringfleet.api.GetVipRequest;
import io.ringfleet.api.GetVipResponse;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.ListVipsRequest;
import io.ringfleet.api.ListVipsResponse;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.RealInfo;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.SetVipHashFunction;
import io.ringfleet.api.VipInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lbctl vip ...}: Katran's -A / -D / -l and VIP flags and hash function. */
@picocli.CommandLine.Command(
        name = "vip",
        description = "Add, delete, list VIPs; change their flags and hash function.",
        subcommands = {
            VipCommands.Add.class,
            VipCommands.Delete.class,
            VipCommands.ListVips.class,
            VipCommands.Show.class,
            VipCommands.Flags.class,
            VipCommands.Hash.class,
            VipHealthCheckCommands.class
        })
final class VipCommands {
    private VipCommands() {}

    static String flagsText(int flags, List<String> names) {
        return flags == 0 ? "0x0" : "0x" + Integer.toHexString(flags) + " (" + String.join(",", names) + ")";
    }

    @picocli.CommandLine.Command(name = "add", description = "Add a VIP (Katran addVip).")
    static final class Add extends VipWriteCommand {
        @Option(
                names = "--flag",
                paramLabel = "FLAG",
                converter = Args.FlagConverter.class,
                description = "A flag name (quic_vip, lru_bypass, ...) or bits (0x4); repeatable.")
        List<Integer> flags = new ArrayList<>();

        @Option(
                names = "--hash",
                paramLabel = "FUNCTION",
                converter = Args.HashConverter.class,
                description = "maglev or maglev_v2; default: the fleet's (limits.maglev in the fleet config).")
        HashFunction hash;

        @Override
        Command.Builder command() {
            int bits = flags.stream().reduce(0, (a, b) -> a | b);
            AddVip.Builder add = AddVip.newBuilder().setVip(vip.key()).setFlags(bits);
            if (hash != null) {
                add.setHashFunction(hash);
            }
            return Command.newBuilder().setAddVip(add);
        }
    }

    @picocli.CommandLine.Command(
            name = "delete",
            aliases = "del",
            description = "Delete a VIP with its reals (Katran delVip).")
    static final class Delete extends VipWriteCommand {
        @Override
        Command.Builder command() {
            return Command.newBuilder().setRemoveVip(RemoveVip.newBuilder().setVip(vip.key()));
        }
    }

    @picocli.CommandLine.Command(name = "list", aliases = "ls", description = "List every VIP.")
    static final class ListVips extends ApiCommand {
        @Option(names = "--reals", description = "Show each VIP's reals too.")
        boolean reals;

        @Override
        int run(ApiConnection api, Output out) {
            ListVipsResponse r = api.control()
                    .listVips(ListVipsRequest.newBuilder().setWithReals(reals).build());
            return out.list(
                    r,
                    r.getVipsList(),
                    (t, v) -> {
                        t.row(
                                Args.vipText(v.getVip()),
                                v.getVipNum(),
                                flagsText(v.getFlags(), v.getFlagNamesList()),
                                v.getHashFunction().name().toLowerCase(Locale.ROOT),
                                v.getRealCount());
                        for (RealInfo real : v.getRealsList()) {
                            t.row(
                                    "  " + real.getAddress(),
                                    "",
                                    "weight " + real.getWeight() + (real.getDown() ? " down" : ""),
                                    "",
                                    "index " + real.getRealIndex());
                        }
                    },
                    "VIP",
                    "NUM",
                    "FLAGS",
                    "HASH",
                    "REALS");
        }
    }

    @picocli.CommandLine.Command(name = "show", description = "Show one VIP and its reals.")
    static final class Show extends ApiCommand {
        @Mixin
        VipArgs vip;

        @Override
        int run(ApiConnection api, Output out) {
            GetVipResponse r = api.control()
                    .getVip(GetVipRequest.newBuilder().setVip(vip.key()).build());
            if (out.json()) {
                out.json(r);
                return ExitCodes.OK;
            }
            VipInfo v = r.getVip();
            out.line(Args.vipText(v.getVip()) + "  vip_num " + v.getVipNum() + "  flags "
                    + flagsText(v.getFlags(), v.getFlagNamesList()) + "  hash "
                    + v.getHashFunction().name().toLowerCase(Locale.ROOT));
            RealCommands.printMembers(out, v.getRealsList());
            return ExitCodes.OK;
        }
    }

    @picocli.CommandLine.Command(
            name = "flags",
            description = "Show a VIP's flags, or set and clear some (Katran modifyVip).")
    static final class Flags extends VipWriteCommand {
        @Option(
                names = "--set",
                paramLabel = "FLAG",
                converter = Args.FlagConverter.class,
                description = "Flag to set; repeatable.")
        List<Integer> set = new ArrayList<>();

        @Option(
                names = "--clear",
                paramLabel = "FLAG",
                converter = Args.FlagConverter.class,
                description = "Flag to clear; repeatable.")
        List<Integer> clear = new ArrayList<>();

        @Override
        int run(ApiConnection api, Output out) throws Exception {
            if (set.isEmpty() && clear.isEmpty()) {
                GetVipFlagsResponse r = api.control()
                        .getVipFlags(
                                GetVipRequest.newBuilder().setVip(vip.key()).build());
                return out.show(r, () -> flagsText(r.getFlags(), r.getFlagNamesList()));
            }
            return super.run(api, out);
        }

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setModifyVipFlags(ModifyVipFlags.newBuilder()
                            .setVip(vip.key())
                            .setSetFlags(set.stream().reduce(0, (a, b) -> a | b))
                            .setClearFlags(clear.stream().reduce(0, (a, b) -> a | b)));
        }
    }

    @picocli.CommandLine.Command(
            name = "hash",
            description = "Change a VIP's ring builder (Katran changeHashFunctionForVip).")
    static final class Hash extends VipWriteCommand {
        @Parameters(
                index = "2",
                paramLabel = "FUNCTION",
                converter = Args.HashConverter.class,
                description = "maglev or maglev_v2")
        HashFunction hash;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setSetVipHashFunction(
                            SetVipHashFunction.newBuilder().setVip(vip.key()).setHashFunction(hash));
        }
    }
}
