package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.notFound;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.HealthCheckMarkRemoved;
import io.ringfleet.api.HealthCheckMarkSet;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.HealthChecksImage;
import io.ringfleet.state.IpAddress;
import java.util.Optional;

/**
 * Health-check destinations: set_health_check_dst, remove_health_check_dst. A mark is 1..2^32-1 and maps to an
 * address (it holds no real index, as Katran's health-check map); at most max_health_check_dsts marks.
 */
final class HealthCheckRules {
    private HealthCheckRules() {}

    static void setDestination(CommandContext ctx, SetHealthCheckDst c) throws Reject {
        long mark = somark(c.getSomark());
        IpAddress address = AddressRules.real(ctx, c.getAddress(), "health-check address");
        HealthChecksImage marks = ctx.state().healthChecksAfter();
        Optional<IpAddress> current = marks.destination(mark);
        if (current.isPresent() && current.get().equals(address)) {
            return;
        }
        FleetLimits limits = ctx.limits();
        if (current.isEmpty() && marks.size() >= limits.maxHealthCheckDsts()) {
            throw new Reject(
                    ErrorCode.RESOURCE_EXHAUSTED,
                    "no room for a health-check destination for somark "
                            + mark + ": all " + limits.maxHealthCheckDsts()
                            + " destinations are in use (max_health_check_dsts "
                            + limits.maxHealthCheckDsts() + ")");
        }
        ctx.emit(FleetRecord.newBuilder()
                .setHealthCheckMarkSet(
                        HealthCheckMarkSet.newBuilder().setSomark((int) mark).setAddress(address.toByteString())));
    }

    static void removeDestination(CommandContext ctx, RemoveHealthCheckDst c) throws Reject {
        long mark = somark(c.getSomark());
        if (ctx.state().healthChecksAfter().destination(mark).isEmpty()) {
            throw notFound("somark " + mark + " has no health-check destination");
        }
        ctx.emit(FleetRecord.newBuilder()
                .setHealthCheckMarkRemoved(HealthCheckMarkRemoved.newBuilder().setSomark(c.getSomark())));
    }

    private static long somark(int raw) throws Reject {
        long mark = Integer.toUnsignedLong(raw);
        if (mark == 0) {
            throw invalid("somark 0 is out of range: allowed 1..4294967295 (0 means unmarked)");
        }
        return mark;
    }
}
