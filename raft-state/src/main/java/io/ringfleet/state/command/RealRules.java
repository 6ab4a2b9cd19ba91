package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.notFound;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.ClearRealDown;
import io.ringfleet.api.DownRealCleared;
import io.ringfleet.api.DownRealMarked;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.MarkRealDown;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RealWeight;
import io.ringfleet.api.RealWeightChanged;
import io.ringfleet.api.RealsAdded;
import io.ringfleet.api.RealsRemoved;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reals of a VIP: add_reals, remove_reals, set_real_weights, mark_real_down, clear_real_down. An IPv6
 * VIP takes IPv6 reals only; an IPv4 VIP takes both. Weight 0..65535 (0 = member but out of the ring). A new
 * real gets the lowest free index ({@link NewRealIndexes}). Down marks need a udp_flow_migration VIP.
 */
final class RealRules {
    private static final int MAX_WEIGHT = 65535;
    private static final String WEIGHT_RULE = "allowed 0..65535 (0 keeps the real in the vip but out of its ring)";

    private RealRules() {}

    static void add(CommandContext ctx, AddReals c) throws Reject {
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        if (c.getRealsCount() == 0) {
            throw invalid("add_reals needs at least one real");
        }
        TreeSet<IpAddress> seen = new TreeSet<>();
        TreeMap<Integer, VipRealEntry> added = new TreeMap<>();
        TreeMap<Integer, Integer> weights = new TreeMap<>();
        for (RealSpec spec : c.getRealsList()) {
            IpAddress address = realAddress(ctx, vip, spec.getAddress(), seen);
            int weight = weight(spec.getWeight(), address);
            Optional<VipReal> member = member(ctx, vip, address);
            if (member.isPresent()) {
                if (!c.getUpdateExisting()) {
                    throw new Reject(
                            ErrorCode.ALREADY_EXISTS,
                            "real " + address + " is already in vip " + vip.key()
                                    + " (weight " + member.get().weight()
                                    + "): change weights with set_real_weights, or set"
                                    + " update_existing");
                }
                if (member.get().weight() != weight) {
                    weights.put(member.get().realIndex(), weight);
                }
                continue;
            }
            int index = ctx.realIndexes().indexFor(address);
            added.put(
                    index,
                    VipRealEntry.newBuilder()
                            .setRealIndex(index)
                            .setAddress(address.toByteString())
                            .setWeight(weight)
                            .build());
        }
        if (!added.isEmpty()) {
            ctx.emit(FleetRecord.newBuilder()
                    .setRealsAdded(
                            RealsAdded.newBuilder().setVipNum(vip.vipNum()).addAllReals(added.values())));
        }
        emitWeights(ctx, vip, weights);
    }

    static void remove(CommandContext ctx, RemoveReals c) throws Reject {
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        if (c.getAddressesCount() == 0) {
            throw invalid("remove_reals needs at least one real address");
        }
        TreeSet<IpAddress> seen = new TreeSet<>();
        TreeSet<Integer> removed = new TreeSet<>();
        for (String text : c.getAddressesList()) {
            IpAddress address = AddressRules.address(text, "real address");
            if (!seen.add(address)) {
                throw invalid("real " + address + " is listed twice");
            }
            Optional<VipReal> member = member(ctx, vip, address);
            if (member.isPresent()) {
                removed.add(member.get().realIndex());
            } else if (!c.getIgnoreMissing()) {
                throw notFound("real " + address + " is not in vip " + vip.key());
            }
        }
        if (!removed.isEmpty()) {
            ctx.emit(FleetRecord.newBuilder()
                    .setRealsRemoved(
                            RealsRemoved.newBuilder().setVipNum(vip.vipNum()).addAllRealIndexes(removed)));
        }
    }

    static void setWeights(CommandContext ctx, SetRealWeights c) throws Reject {
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        if (c.getRealsCount() == 0) {
            throw invalid("set_real_weights needs at least one real");
        }
        TreeSet<IpAddress> seen = new TreeSet<>();
        TreeMap<Integer, Integer> weights = new TreeMap<>();
        for (RealSpec spec : c.getRealsList()) {
            IpAddress address = AddressRules.address(spec.getAddress(), "real address");
            if (!seen.add(address)) {
                throw invalid("real " + address + " is listed twice");
            }
            int weight = weight(spec.getWeight(), address);
            VipReal member = member(ctx, vip, address)
                    .orElseThrow(() -> notFound("real " + address + " is not in vip " + vip.key()));
            if (member.weight() != weight) {
                weights.put(member.realIndex(), weight);
            }
        }
        emitWeights(ctx, vip, weights);
    }

    static void markDown(CommandContext ctx, MarkRealDown c) throws Reject {
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        VipReal member = requireMember(ctx, vip, c.getAddress());
        if (!vip.hasFlag(VipFlags.UDP_FLOW_MIGRATION)) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "vip " + vip.key()
                            + " does not have flag udp_flow_migration: down reals only apply to udp_flow_migration vips");
        }
        if (!vip.isDown(member.realIndex())) {
            ctx.emit(FleetRecord.newBuilder()
                    .setDownRealMarked(
                            DownRealMarked.newBuilder().setVipNum(vip.vipNum()).setRealIndex(member.realIndex())));
        }
    }

    static void clearDown(CommandContext ctx, ClearRealDown c) throws Reject {
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        VipReal member = requireMember(ctx, vip, c.getAddress());
        if (vip.isDown(member.realIndex())) {
            ctx.emit(FleetRecord.newBuilder()
                    .setDownRealCleared(
                            DownRealCleared.newBuilder().setVipNum(vip.vipNum()).setRealIndex(member.realIndex())));
        }
    }

    private static void emitWeights(CommandContext ctx, VipImage vip, TreeMap<Integer, Integer> weights) {
        if (weights.isEmpty()) {
            return;
        }
        RealWeightChanged.Builder b = RealWeightChanged.newBuilder().setVipNum(vip.vipNum());
        weights.forEach((index, weight) ->
                b.addWeights(RealWeight.newBuilder().setRealIndex(index).setWeight(weight)));
        ctx.emit(FleetRecord.newBuilder().setRealWeightChanged(b));
    }

    private static Optional<VipReal> member(CommandContext ctx, VipImage vip, IpAddress address) {
        return ctx.state().realsAfter().get(address).flatMap(r -> vip.real(r.index()));
    }

    static VipReal requireMember(CommandContext ctx, VipImage vip, String text) throws Reject {
        IpAddress address = AddressRules.address(text, "real address");
        return member(ctx, vip, address).orElseThrow(() -> notFound("real " + address + " is not in vip " + vip.key()));
    }

    /** The address of a real for this VIP: well formed, right family, not listed twice. */
    private static IpAddress realAddress(CommandContext ctx, VipImage vip, String text, TreeSet<IpAddress> seen)
            throws Reject {
        IpAddress address = AddressRules.real(ctx, text, "real address");
        if (vip.key().isV6() && address.isV4()) {
            throw invalid("real " + address + " is IPv4 but vip " + vip.key() + " is IPv6: an IPv6 vip takes only"
                    + " IPv6 reals (an IPv4 vip takes both)");
        }
        if (!seen.add(address)) {
            throw invalid("real " + address + " is listed twice");
        }
        return address;
    }

    private static int weight(int raw, IpAddress address) throws Reject {
        if (Integer.compareUnsigned(raw, MAX_WEIGHT) > 0) {
            throw invalid("weight " + Integer.toUnsignedString(raw) + " of real " + address + " is out of range: "
                    + WEIGHT_RULE);
        }
        return raw;
    }
}
