package io.ringfleet.config.spec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.VipFlags;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a {@link FleetSpec} from YAML (or JSON, which is YAML), the format {@link FleetSpecPrinter} writes:
 *
 * <pre>
 * scope: [tcp 10.0.0.1:80]               # optional: the VIPs this spec manages
 * gateway_mac: 02:00:00:00:00:01         # optional: absent = not managed
 * vips:
 *   - vip: tcp 10.0.0.1:80
 *     hash_function: maglev              # optional: maglev or maglev_v2
 *     flags: [hash_no_src_port]          # optional: Katran flag names
 *     reals:
 *       - {address: 10.1.0.1, weight: 1} # weight 0..65535, default 1; or just the address
 * health_check_dsts:                     # optional: absent = not managed
 *   - {somark: 1, address: 10.1.0.1}
 * quic_server_ids:                       # optional: absent = not managed
 *   - {server_id: 1, address: 10.1.0.1}
 * </pre>
 *
 * Unknown keys, duplicate keys and entries listed twice are refused: a typo must not silently manage nothing.
 */
public final class FleetSpecParser {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());
    private static final Set<String> TOP =
            Set.of("scope", "gateway_mac", "vips", "health_check_dsts", "quic_server_ids");
    private static final Set<String> VIP = Set.of("vip", "hash_function", "flags", "reals");
    private static final Set<String> REAL = Set.of("address", "weight");

    private FleetSpecParser() {}

    /** @throws FleetSpecException one line: where in the file, and what is allowed */
    public static FleetSpec parse(String text) throws FleetSpecException {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            throw new FleetSpecException("not YAML: " + e.getOriginalMessage() + location(e));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new FleetSpecException("the spec is empty: expected a mapping with vips:");
        }
        try {
            return spec(root);
        } catch (IllegalArgumentException e) {
            throw new FleetSpecException(e.getMessage());
        }
    }

    /**
     * True for the format {@code lbctl apply -f} took before specs: a JSON batch of commands (a top-level
     * {@code commands} list). A spec never has that key.
     */
    public static boolean isCommandBatch(String text) {
        try {
            JsonNode root = YAML.readTree(text);
            return root != null && root.isObject() && root.has("commands");
        } catch (JacksonException e) {
            return false; // not a batch; parse() reports what is wrong with it as a spec
        }
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    private static FleetSpec spec(JsonNode root) {
        keys(root, TOP, "the spec");
        Optional<SortedSet<VipId>> scope = Optional.empty();
        if (root.has("scope")) {
            SortedSet<VipId> ids = new TreeSet<>();
            each(root.get("scope"), "scope", (item, where) -> unique(ids.add(vipId(item, where)), where, "VIP"));
            scope = Optional.of(ids);
        }
        Optional<MacAddress> mac = root.has("gateway_mac")
                ? Optional.of(mac(text(root.get("gateway_mac"), "gateway_mac")))
                : Optional.empty();
        SortedMap<VipId, VipSpec> vips = new TreeMap<>();
        if (root.has("vips")) {
            each(root.get("vips"), "vips", (item, where) -> {
                VipSpec v = vip(item, where);
                unique(vips.put(v.id(), v) == null, where, "VIP " + v.id());
            });
        }
        FleetSpec spec = new FleetSpec(
                scope, mac, vips, ids(root, "health_check_dsts", "somark"), ids(root, "quic_server_ids", "server_id"));
        checkScope(spec);
        return spec;
    }

    private static void checkScope(FleetSpec spec) {
        if (spec.scope().isEmpty()) {
            return;
        }
        for (VipId id : spec.vips().keySet()) {
            if (!spec.manages(id)) {
                throw new IllegalArgumentException("vip " + id + " is not in the spec's scope: add it to scope: or"
                        + " leave it to the team whose spec it is in");
            }
        }
        if (spec.gatewayMac().isPresent()
                || spec.healthCheckDsts().isPresent()
                || spec.quicServerIds().isPresent()) {
            throw new IllegalArgumentException("a scoped spec manages VIPs only: remove gateway_mac,"
                    + " health_check_dsts and quic_server_ids (they are fleet-wide), or remove scope:");
        }
    }

    private static VipSpec vip(JsonNode node, String where) {
        keys(node, VIP, where);
        if (!node.has("vip")) {
            throw new IllegalArgumentException(where + ": vip: is missing (e.g. vip: tcp 10.0.0.1:80)");
        }
        VipId id = vipId(node.get("vip"), where + ".vip");
        Optional<HashFunction> hash = node.has("hash_function")
                ? Optional.of(hash(text(node.get("hash_function"), where + ".hash_function"), where))
                : Optional.empty();
        int[] flags = {0};
        if (node.has("flags")) {
            each(node.get("flags"), where + ".flags", (item, at) -> flags[0] |= flag(text(item, at), at));
        }
        SortedMap<IpAddress, Integer> reals = new TreeMap<>();
        if (node.has("reals")) {
            each(node.get("reals"), where + ".reals", (item, at) -> {
                Map.Entry<IpAddress, Integer> r = real(item, at);
                unique(reals.put(r.getKey(), r.getValue()) == null, at, "real " + r.getKey());
            });
        }
        return new VipSpec(id, flags[0], hash, reals);
    }

    private static Map.Entry<IpAddress, Integer> real(JsonNode node, String where) {
        if (node.isValueNode()) {
            return Map.entry(address(node, where), 1);
        }
        keys(node, REAL, where);
        if (!node.has("address")) {
            throw new IllegalArgumentException(where + ": address: is missing");
        }
        int weight = node.has("weight") ? (int) number(node.get("weight"), 0, Specs.MAX_WEIGHT, where + ".weight") : 1;
        return Map.entry(address(node.get("address"), where + ".address"), weight);
    }

    /** A list of {id, address} pairs (health-check destinations by somark, QUIC mappings by server id). */
    private static Optional<SortedMap<Long, IpAddress>> ids(JsonNode root, String section, String idKey) {
        if (!root.has(section)) {
            return Optional.empty();
        }
        SortedMap<Long, IpAddress> out = new TreeMap<>();
        each(root.get(section), section, (item, where) -> {
            keys(item, Set.of(idKey, "address"), where);
            if (!item.has(idKey) || !item.has("address")) {
                throw new IllegalArgumentException(where + ": expected {" + idKey + ": N, address: ADDRESS}");
            }
            long id = number(item.get(idKey), 1, 0xffff_ffffL, where + "." + idKey);
            unique(out.put(id, address(item.get("address"), where + ".address")) == null, where, idKey + " " + id);
        });
        return Optional.of(out);
    }

    private interface Item {
        void read(JsonNode item, String where);
    }

    private static void each(JsonNode list, String where, Item item) {
        if (list.isNull()) {
            return; // "reals:" with nothing under it: an empty list
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(where + ": expected a list");
        }
        for (int i = 0; i < list.size(); i++) {
            item.read(list.get(i), where + "[" + i + "]");
        }
    }

    private static void keys(JsonNode node, Set<String> allowed, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": expected a mapping with " + new TreeSet<>(allowed));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(
                        where + ": unknown key \"" + key + "\": allowed " + new TreeSet<>(allowed));
            }
        }
    }

    private static void unique(boolean added, String where, String what) {
        if (!added) {
            throw new IllegalArgumentException(where + ": " + what + " is listed twice");
        }
    }

    private static String text(JsonNode node, String where) {
        if (!node.isValueNode() || node.isNull()) {
            throw new IllegalArgumentException(where + ": expected a value, got " + node.getNodeType());
        }
        return node.asText();
    }

    private static long number(JsonNode node, long min, long max, String where) {
        String name = where.substring(where.lastIndexOf('.') + 1);
        return withWhere(where, () -> Specs.number(text(node, where), min, max, name));
    }

    private static IpAddress address(JsonNode node, String where) {
        return withWhere(where, () -> Specs.address(text(node, where)));
    }

    private static VipId vipId(JsonNode node, String where) {
        return withWhere(where, () -> VipId.parse(text(node, where)));
    }

    private static MacAddress mac(String text) {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway_mac: \"" + text + "\" is not a MAC: expected six hex octets"
                    + " separated by colons, e.g. 0a:1b:2c:3d:4e:5f");
        }
    }

    private static HashFunction hash(String text, String where) {
        try {
            return HashFunction.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ".hash_function: \"" + text + "\" is not a hash function: allowed maglev or maglev_v2");
        }
    }

    private static int flag(String name, String where) {
        for (int bit = 0; bit < 32; bit++) {
            if ((VipFlags.KNOWN & (1 << bit)) != 0
                    && VipFlags.names(1 << bit).get(0).equals(name)) {
                return 1 << bit;
            }
        }
        throw new IllegalArgumentException(where + ": \"" + name + "\" is not a VIP flag: allowed " + VipFlags.ALLOWED);
    }

    private static <T> T withWhere(String where, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(where) ? m : where + ": " + m);
        }
    }
}
