package io.ringfleet.state.command;

import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Real;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The real indexes one command hands out (add_reals, map_quic_server_ids): a known real keeps its index, a
 * new address gets the lowest free one, once, however often the command names it. One per command: the
 * next command sees these reals in the state, and the indexes an earlier command freed.
 */
final class NewRealIndexes {
    private final FleetDelta state;
    private final FleetLimits limits;
    private final TreeMap<IpAddress, Integer> allocated = new TreeMap<>();
    private IndexAllocator free;

    NewRealIndexes(FleetDelta state, FleetLimits limits) {
        this.state = state;
        this.limits = limits;
    }

    /** The index of a known real, or the lowest free one (reserved for this command). */
    int indexFor(IpAddress address) throws Reject {
        Optional<Real> known = state.realsAfter().get(address);
        if (known.isPresent()) {
            return known.get().index();
        }
        Integer already = allocated.get(address);
        if (already != null) {
            return already;
        }
        if (free == null) {
            free = new IndexAllocator(state.realsAfter().indexes(), 1, limits.maxRealIndex());
        }
        OptionalInt index = free.next();
        if (index.isEmpty()) {
            throw new Reject(
                    ErrorCode.RESOURCE_EXHAUSTED,
                    "no free real index for real " + address + ": all "
                            + limits.maxRealIndex() + " real indexes (1.." + limits.maxRealIndex()
                            + ") are in use (max_reals "
                            + limits.maxReals() + ", index 0 is reserved)");
        }
        allocated.put(address, index.getAsInt());
        return index.getAsInt();
    }
}
