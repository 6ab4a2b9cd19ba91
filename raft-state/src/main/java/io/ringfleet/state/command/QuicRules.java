package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.notFound;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.QuicServerIdMapped;
import io.ringfleet.api.QuicServerIdUnmapped;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.QuicMapping;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * QUIC server ids: map_quic_server_ids, unmap_quic_server_ids. Ids are 1..max_quic_server_id, each listed once
 * per command; a mapping holds its real's index (a new real gets the lowest free, {@link NewRealIndexes}).
 * Records come out in ascending server id.
 */
final class QuicRules {
    private QuicRules() {}

    static void map(CommandContext ctx, MapQuicServerIds c) throws Reject {
        if (c.getMappingsCount() == 0) {
            throw invalid("map_quic_server_ids needs at least one mapping");
        }
        // null for an id already mapped to that address: listed once, but nothing to emit.
        TreeMap<Long, QuicServerIdMapped> mapped = new TreeMap<>();
        for (io.ringfleet.api.QuicMapping m : c.getMappingsList()) {
            long id = serverId(ctx, m.getServerId());
            if (mapped.containsKey(id)) {
                throw invalid("quic server id " + id + " is listed twice");
            }
            IpAddress address = AddressRules.real(ctx, m.getAddress(), "quic real address");
            Optional<QuicMapping> current = ctx.state().quicIdsAfter().get(id);
            if (current.isPresent() && current.get().address().equals(address)) {
                mapped.put(id, null);
                continue;
            }
            int index = ctx.realIndexes().indexFor(address);
            mapped.put(
                    id,
                    QuicServerIdMapped.newBuilder()
                            .setServerId((int) id)
                            .setRealIndex(index)
                            .setAddress(address.toByteString())
                            .build());
        }
        for (QuicServerIdMapped record : mapped.values()) {
            if (record != null) {
                ctx.emit(FleetRecord.newBuilder().setQuicServerIdMapped(record));
            }
        }
    }

    static void unmap(CommandContext ctx, UnmapQuicServerIds c) throws Reject {
        if (c.getServerIdsCount() == 0) {
            throw invalid("unmap_quic_server_ids needs at least one server id");
        }
        TreeSet<Long> ids = new TreeSet<>();
        for (int raw : c.getServerIdsList()) {
            long id = serverId(ctx, raw);
            if (!ids.add(id)) {
                throw invalid("quic server id " + id + " is listed twice");
            }
            if (ctx.state().quicIdsAfter().get(id).isEmpty()) {
                throw notFound("quic server id " + id + " is not mapped");
            }
        }
        for (long id : ids) {
            ctx.emit(FleetRecord.newBuilder()
                    .setQuicServerIdUnmapped(QuicServerIdUnmapped.newBuilder().setServerId((int) id)));
        }
    }

    private static long serverId(CommandContext ctx, int raw) throws Reject {
        long id = Integer.toUnsignedLong(raw);
        long max = ctx.limits().maxQuicServerId();
        if (id == 0 || id > max) {
            throw invalid("quic server id " + id + " is out of range: allowed 1.." + max + " (0 means no server id)");
        }
        return id;
    }
}
