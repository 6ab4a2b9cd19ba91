package io.ringfleet.config.spec;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipFlags;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * Writes a {@link FleetSpec} as the YAML {@link FleetSpecParser} reads: sections in a fixed order, VIPs, reals
 * and ids ascending, every value quoted (a MAC such as 12:34:56:12:34:56 is a base-60 number to YAML 1.1
 * readers), so that the same state always prints the same bytes and a spec kept in git diffs cleanly.
 */
public final class FleetSpecPrinter {
    private FleetSpecPrinter() {}

    public static String print(FleetSpec spec) {
        StringBuilder out = new StringBuilder("# Ringfleet fleet spec: lbctl diff -f FILE, lbctl apply -f FILE\n");
        spec.scope().ifPresent(scope -> {
            out.append("scope:\n");
            scope.forEach(id -> out.append("  - ").append(quote(id.toString())).append('\n'));
        });
        spec.gatewayMac()
                .ifPresent(mac -> out.append("gateway_mac: ")
                        .append(quote(mac.toString()))
                        .append('\n'));
        out.append("vips:").append(spec.vips().isEmpty() ? " []\n" : "\n");
        spec.vips().values().forEach(v -> vip(out, v));
        spec.healthCheckDsts().ifPresent(m -> ids(out, "health_check_dsts", "somark", m));
        spec.quicServerIds().ifPresent(m -> ids(out, "quic_server_ids", "server_id", m));
        return out.toString();
    }

    private static void vip(StringBuilder out, VipSpec v) {
        out.append("  - vip: ").append(quote(v.id().toString())).append('\n');
        v.hashFunction()
                .ifPresent(h -> out.append("    hash_function: ")
                        .append(h.name().toLowerCase(Locale.ROOT))
                        .append('\n'));
        out.append("    flags: [")
                .append(String.join(", ", VipFlags.names(v.flags())))
                .append("]\n");
        out.append("    reals:").append(v.reals().isEmpty() ? " []\n" : "\n");
        for (Map.Entry<IpAddress, Integer> r : v.reals().entrySet()) {
            out.append("      - {address: ")
                    .append(quote(r.getKey().toString()))
                    .append(", weight: ")
                    .append(r.getValue())
                    .append("}\n");
        }
    }

    private static void ids(StringBuilder out, String section, String idKey, SortedMap<Long, IpAddress> ids) {
        out.append(section).append(':').append(ids.isEmpty() ? " []\n" : "\n");
        ids.forEach((id, address) -> out.append("  - {")
                .append(idKey)
                .append(": ")
                .append(id)
                .append(", address: ")
                .append(quote(address.toString()))
                .append("}\n"));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
