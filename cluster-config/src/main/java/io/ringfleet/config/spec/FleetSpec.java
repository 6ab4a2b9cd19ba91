package io.ringfleet.config.spec;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The declarative description of a fleet's load-balancing state, as {@code lbctl diff/apply -f} read it and
 * {@code lbctl export} writes it (the format: {@link FleetSpecParser}, {@link FleetSpecPrinter}; the plan from
 * one spec to another: {@link FleetPlanner}).
 *
 * <p>A fleet-wide section that is empty here (gateway MAC, health-check destinations, QUIC mappings) is not
 * managed by the spec: an apply neither sets nor removes anything of it. A present one is the whole of it.
 * {@code scope}, when present, is the set of VIPs the spec manages (a team's VIPs): the spec's VIPs must be in it,
 * and a scoped spec manages no fleet-wide section.
 *
 * <p>Not in the spec: drains (operations, not configuration), UDP down-real marks (flow migration during an
 * incident) and fleet settings ({@code lbctl settings}). Per-VIP health checks (branch health-log) would be a
 * field of {@link VipSpec} and a {@code health_check:} key under a VIP.
 */
public record FleetSpec(
        Optional<SortedSet<VipId>> scope,
        Optional<MacAddress> gatewayMac,
        SortedMap<VipId, VipSpec> vips,
        Optional<SortedMap<Long, IpAddress>> healthCheckDsts,
        Optional<SortedMap<Long, IpAddress>> quicServerIds) {
    public FleetSpec {
        scope = scope.map(s -> Collections.unmodifiableSortedSet(new TreeSet<>(s)));
        vips = Collections.unmodifiableSortedMap(new TreeMap<>(vips));
        healthCheckDsts = healthCheckDsts.map(m -> Collections.unmodifiableSortedMap(new TreeMap<>(m)));
        quicServerIds = quicServerIds.map(m -> Collections.unmodifiableSortedMap(new TreeMap<>(m)));
    }

    /** True when the spec manages this VIP: no scope, or the VIP is in it. */
    public boolean manages(VipId vip) {
        return scope.map(s -> s.contains(vip)).orElse(true);
    }
}
