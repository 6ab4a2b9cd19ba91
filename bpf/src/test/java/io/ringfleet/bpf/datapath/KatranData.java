package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Katran conformance data of shared/conformance/katran: fixtures, and provision.json applied
 * to a balancer exactly as given (rings as listed, conn_lru_maps left empty so the fallback table
 * is used, like Katran's test mode).
 */
final class KatranData {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A VIP of provision.json and the reals its ring holds. */
    record Vip(InetAddress address, int port, int protocol, int flags, int vipNum, Set<Integer> ringReals) {}

    /** One fixture: a frame, the expected action and the expected output frame. */
    record Fixture(int index, String name, byte[] input, int expectedAction, byte[] expectedOutput) {}

    private final Path dir;
    private final JsonNode provision;

    private KatranData(Path dir) {
        this.dir = dir;
        this.provision = read("provision.json");
    }

    /**
     * The data directory: system property ringfleet.shared + /conformance/katran. Absent data
     * aborts the calling test (a JUnit assumption naming the path looked for).
     */
    static KatranData load() {
        String shared = System.getProperty("ringfleet.shared");
        Path dir = Path.of(shared == null ? "<ringfleet.shared unset>" : shared, "conformance", "katran");
        assumeTrue(Files.isRegularFile(dir.resolve("provision.json")),
                () -> "Katran conformance data not found: looked for " + dir.toAbsolutePath()
                        + "/provision.json (set -Dringfleet.shared=DIR)");
        return new KatranData(dir);
    }

    /** A fixture file: a bare list (base, too-big) or an object whose "fixtures" is that list. */
    List<Fixture> fixtures(String file) {
        List<Fixture> out = new ArrayList<>();
        JsonNode root = read(file);
        for (JsonNode f : root.isArray() ? root : root.get("fixtures")) {
            String action = f.get("expected_action").asText();
            out.add(new Fixture(f.get("index").asInt(), f.get("name").asText(),
                    Base64.getDecoder().decode(f.get("input_b64").asText()),
                    action.startsWith("TC_ACT_") ? TcAction.parse(action) : XdpAction.parse(action),
                    Base64.getDecoder().decode(f.get("expected_output_b64").asText())));
        }
        return out;
    }

    List<Fixture> baseFixtures() {
        return fixtures("base_fixtures.json");
    }

    List<Fixture> tooBigFixtures() {
        return fixtures("icmp_too_big_fixtures.json");
    }

    byte[] gatewayMac() {
        return mac(provision.get("default_gateway_mac").asText());
    }

    /** real index -> address. */
    Map<Integer, InetAddress> reals() {
        Map<Integer, InetAddress> out = new HashMap<>();
        for (JsonNode r : provision.get("reals")) {
            out.put(r.get("index").asInt(), Packets.ip(r.get("address").asText()));
        }
        return out;
    }

    List<Vip> vips() {
        List<Vip> out = new ArrayList<>();
        for (JsonNode v : provision.get("vips")) {
            Set<Integer> ringReals = new HashSet<>();
            JsonNode ring = provision.get("rings").get(v.get("ring_id").asText());
            if (ring != null) {
                ring.forEach(slot -> ringReals.add(slot.asInt()));
            }
            out.add(new Vip(Packets.ip(v.get("address").asText()), v.get("port").asInt(), v.get("proto").asInt(),
                    v.get("flags").asInt(), v.get("vip_num").asInt(), Set.copyOf(ringReals)));
        }
        return out;
    }

    /** Configures the balancer as provision.json says. */
    void provision(BalancerUnderTest lb) {
        lb.gatewayMac(gatewayMac());
        reals().forEach(lb::addReal);
        for (JsonNode v : provision.get("vips")) {
            int vipNum = v.get("vip_num").asInt();
            lb.addVip(Packets.ip(v.get("address").asText()), v.get("port").asInt(), v.get("proto").asInt(),
                    v.get("flags").asInt(), vipNum);
            JsonNode ring = provision.get("rings").get(v.get("ring_id").asText());
            if (ring != null) {
                int[] slots = new int[BalancerUnderTest.RING_SIZE];
                for (int i = 0; i < slots.length; i++) {
                    slots[i] = ring.get(i).asInt();
                }
                lb.setRing(vipNum, slots);
            }
        }
        for (JsonNode q : provision.get("quic_server_id_map")) {
            lb.quicId(q.get("server_id").asInt(), q.get("real_index").asInt());
        }
        for (JsonNode d : provision.get("down_reals")) {
            InetAddress address = Packets.ip(d.get("vip").asText());
            int vipNum = vips().stream()
                    .filter(v -> v.address().equals(address) && v.port() == d.get("port").asInt()
                            && v.protocol() == d.get("proto").asInt())
                    .findFirst().orElseThrow(() -> new IllegalStateException("down real of an unknown VIP: " + d))
                    .vipNum();
            lb.markDown(vipNum, d.get("real_index").asInt());
        }
    }

    JsonNode json(String file) {
        return read(file);
    }

    private JsonNode read(String file) {
        try {
            return JSON.readTree(Files.readAllBytes(dir.resolve(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dir.resolve(file), e);
        }
    }

    static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] mac = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }
}
