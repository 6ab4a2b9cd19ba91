package io.ringfleet.config.spec;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.SetGatewayMac;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.SetVipHashFunction;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.config.spec.PlannedChange.Action;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plans the way from the fleet's current state (a complete {@link FleetSpec}, as {@code lbctl export} reads it)
 * to a desired spec. Pure: the same two specs give the same plan. The commands go in one batch, ordered so that
 * removals free numbers and indexes before additions take them: prunes (QUIC ids, health-check marks, VIPs),
 * then VIPs added with their reals, then changes of existing VIPs (flags, hash, members, weights), then
 * health-check and QUIC mappings, then the gateway MAC.
 *
 * <p>Only what the spec manages is planned: the VIPs of its scope (all when it has none) narrowed by {@code
 * vipFilter}; fleet-wide sections only when present and no filter is given. Whole objects the spec no longer lists
 * are removed only with {@code prune} (else held back); a VIP's members are the spec's list (a real missing from
 * it leaves that VIP).
 */
public final class FleetPlanner {
    private final FleetSpec desired;
    private final FleetSpec current;
    private final boolean prune;
    private final Optional<Set<VipId>> vipFilter;
    private final List<PlannedChange> changes = new ArrayList<>();
    private final List<Command> prunes = new ArrayList<>();
    private final List<Command> additions = new ArrayList<>();
    private final List<Command> vipChanges = new ArrayList<>();
    private final List<Command> mappings = new ArrayList<>();

    private FleetPlanner(FleetSpec desired, FleetSpec current, boolean prune, Optional<Set<VipId>> vipFilter) {
        this.desired = desired;
        this.current = current;
        this.prune = prune;
        this.vipFilter = vipFilter;
    }

    /** The plan from {@code current} (the state at {@code stateIndex}) to {@code desired}. */
    public static FleetPlan plan(
            FleetSpec desired, FleetSpec current, long stateIndex, boolean prune, Optional<Set<VipId>> vipFilter) {
        FleetPlanner p = new FleetPlanner(desired, current, prune, vipFilter);
        p.vips();
        if (vipFilter.isEmpty()) {
            p.ids("health-check mark", desired.healthCheckDsts(), current.healthCheckDsts(), true);
            p.ids("quic server id", desired.quicServerIds(), current.quicServerIds(), false);
            p.gatewayMac();
        }
        List<Command> commands = new ArrayList<>(p.prunes);
        commands.addAll(p.additions);
        commands.addAll(p.vipChanges);
        commands.addAll(p.mappings);
        return new FleetPlan(stateIndex, p.changes, commands);
    }

    private boolean managed(VipId id) {
        return desired.manages(id) && vipFilter.map(f -> f.contains(id)).orElse(true);
    }

    private void vips() {
        for (VipSpec want : desired.vips().values()) {
            if (!managed(want.id())) {
                continue;
            }
            VipSpec have = current.vips().get(want.id());
            if (have == null) {
                addVip(want);
            } else {
                changeVip(have, want);
            }
        }
        for (VipSpec have : current.vips().values()) {
            if (managed(have.id()) && !desired.vips().containsKey(have.id())) {
                change(Action.REMOVE, "vip " + have.id(), have.reals().size() + " real(s)", !prune);
                if (prune) {
                    prunes.add(Command.newBuilder()
                            .setRemoveVip(
                                    RemoveVip.newBuilder().setVip(have.id().toProto()))
                            .build());
                }
            }
        }
    }

    private void addVip(VipSpec want) {
        AddVip.Builder add = AddVip.newBuilder().setVip(want.id().toProto()).setFlags(want.flags());
        want.hashFunction().ifPresent(h -> add.setHashFunction(h.toProto()));
        change(
                Action.ADD,
                "vip " + want.id(),
                "hash " + want.hashFunction().map(FleetPlanner::name).orElse("(fleet default)") + ", flags "
                        + VipFlags.names(want.flags()) + ", " + want.reals().size() + " real(s)",
                false);
        additions.add(Command.newBuilder().setAddVip(add).build());
        if (!want.reals().isEmpty()) {
            want.reals().forEach((a, w) -> change(Action.ADD, real(a, want.id()), "weight " + w, false));
            additions.add(Command.newBuilder()
                    .setAddReals(
                            AddReals.newBuilder().setVip(want.id().toProto()).addAllReals(specs(want.reals())))
                    .build());
        }
    }

    private void changeVip(VipSpec have, VipSpec want) {
        var key = want.id().toProto();
        if (have.flags() != want.flags()) {
            change(
                    Action.CHANGE,
                    "vip " + want.id(),
                    "flags " + VipFlags.names(have.flags()) + " -> " + VipFlags.names(want.flags()),
                    false);
            vipChanges.add(Command.newBuilder()
                    .setModifyVipFlags(ModifyVipFlags.newBuilder()
                            .setVip(key)
                            .setSetFlags(want.flags() & ~have.flags())
                            .setClearFlags(have.flags() & ~want.flags()))
                    .build());
        }
        if (want.hashFunction().isPresent() && !want.hashFunction().equals(have.hashFunction())) {
            change(
                    Action.CHANGE,
                    "vip " + want.id(),
                    "hash " + have.hashFunction().map(FleetPlanner::name).orElse("?") + " -> "
                            + name(want.hashFunction().get()),
                    false);
            vipChanges.add(Command.newBuilder()
                    .setSetVipHashFunction(SetVipHashFunction.newBuilder()
                            .setVip(key)
                            .setHashFunction(want.hashFunction().get().toProto()))
                    .build());
        }
        members(have, want);
    }

    private void members(VipSpec have, VipSpec want) {
        var key = want.id().toProto();
        List<String> gone = new ArrayList<>();
        SortedMap<IpAddress, Integer> added = new TreeMap<>();
        SortedMap<IpAddress, Integer> reweighted = new TreeMap<>();
        have.reals().forEach((a, w) -> {
            if (!want.reals().containsKey(a)) {
                gone.add(a.toString());
                change(Action.REMOVE, real(a, want.id()), "weight " + w + "; not in the spec's reals", false);
            }
        });
        want.reals().forEach((a, w) -> {
            Integer old = have.reals().get(a);
            if (old == null) {
                added.put(a, w);
                change(Action.ADD, real(a, want.id()), "weight " + w, false);
            } else if (!old.equals(w)) {
                reweighted.put(a, w);
                change(Action.CHANGE, real(a, want.id()), "weight " + old + " -> " + w, false);
            }
        });
        if (!gone.isEmpty()) {
            vipChanges.add(Command.newBuilder()
                    .setRemoveReals(RemoveReals.newBuilder().setVip(key).addAllAddresses(gone))
                    .build());
        }
        if (!added.isEmpty()) {
            vipChanges.add(Command.newBuilder()
                    .setAddReals(AddReals.newBuilder().setVip(key).addAllReals(specs(added)))
                    .build());
        }
        if (!reweighted.isEmpty()) {
            vipChanges.add(Command.newBuilder()
                    .setSetRealWeights(SetRealWeights.newBuilder().setVip(key).addAllReals(specs(reweighted)))
                    .build());
        }
    }

    /** Health-check marks ({@code marks}) or QUIC server ids: id → address. */
    private void ids(
            String what,
            Optional<SortedMap<Long, IpAddress>> wanted,
            Optional<SortedMap<Long, IpAddress>> had,
            boolean marks) {
        if (wanted.isEmpty()) {
            return;
        }
        SortedMap<Long, IpAddress> want = wanted.get();
        SortedMap<Long, IpAddress> have = had.orElse(new TreeMap<>());
        List<Long> gone = new ArrayList<>();
        have.forEach((id, a) -> {
            if (!want.containsKey(id)) {
                change(Action.REMOVE, what + " " + id, "address " + a, !prune);
                gone.add(id);
            }
        });
        MapQuicServerIds.Builder map = MapQuicServerIds.newBuilder();
        for (Map.Entry<Long, IpAddress> e : want.entrySet()) {
            IpAddress old = have.get(e.getKey());
            if (e.getValue().equals(old)) {
                continue;
            }
            change(
                    old == null ? Action.ADD : Action.CHANGE,
                    what + " " + e.getKey(),
                    old == null ? "address " + e.getValue() : "address " + old + " -> " + e.getValue(),
                    false);
            if (marks) {
                mappings.add(Command.newBuilder()
                        .setSetHealthCheckDst(SetHealthCheckDst.newBuilder()
                                .setSomark(e.getKey().intValue())
                                .setAddress(e.getValue().toString()))
                        .build());
            } else {
                map.addMappings(QuicMapping.newBuilder()
                        .setServerId(e.getKey().intValue())
                        .setAddress(e.getValue().toString()));
            }
        }
        if (map.getMappingsCount() > 0) {
            mappings.add(Command.newBuilder().setMapQuicServerIds(map).build());
        }
        if (prune && !gone.isEmpty()) {
            prunes.addAll(marks ? removeMarks(gone) : List.of(unmap(gone)));
        }
    }

    private static List<Command> removeMarks(List<Long> marks) {
        return marks.stream()
                .map(m -> Command.newBuilder()
                        .setRemoveHealthCheckDst(
                                RemoveHealthCheckDst.newBuilder().setSomark(m.intValue()))
                        .build())
                .toList();
    }

    private static Command unmap(List<Long> ids) {
        UnmapQuicServerIds.Builder b = UnmapQuicServerIds.newBuilder();
        ids.forEach(id -> b.addServerIds(id.intValue()));
        return Command.newBuilder().setUnmapQuicServerIds(b).build();
    }

    private void gatewayMac() {
        desired.gatewayMac().ifPresent(want -> {
            Optional<?> have = current.gatewayMac();
            if (!have.equals(Optional.of(want))) {
                change(
                        have.isEmpty() ? Action.ADD : Action.CHANGE,
                        "gateway mac",
                        have.map(h -> h + " -> ").orElse("") + want,
                        false);
                mappings.add(Command.newBuilder()
                        .setSetGatewayMac(SetGatewayMac.newBuilder().setMac(want.toString()))
                        .build());
            }
        });
    }

    private void change(Action action, String object, String detail, boolean heldBack) {
        changes.add(new PlannedChange(action, object, detail, heldBack));
    }

    private static String real(IpAddress address, VipId vip) {
        return "real " + address + " of " + vip;
    }

    private static List<RealSpec> specs(SortedMap<IpAddress, Integer> reals) {
        List<RealSpec> out = new ArrayList<>();
        reals.forEach((a, w) -> out.add(
                RealSpec.newBuilder().setAddress(a.toString()).setWeight(w).build()));
        return out;
    }

    private static String name(io.ringfleet.state.HashFunction h) {
        return h.name().toLowerCase(Locale.ROOT);
    }
}
