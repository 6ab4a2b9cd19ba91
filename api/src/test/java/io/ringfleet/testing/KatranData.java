package io.ringfleet.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * The Katran conformance data, {@code ${ringfleet.shared}/conformance/katran} (surefire sets the property to the
 * project root's {@code ../shared}): provision.json, the packet fixtures and the hash vectors, for every module's
 * tests (the datapath's fixtures, the Maglev rings and real hashes, the agent's end-to-end conformance). When the
 * data is missing, the test that asked for it is aborted with an assumption naming the path looked for.
 */
public final class KatranData {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A VIP of provision.json and the reals its ring holds. */
    public record Vip(InetAddress address, int port, int protocol, int flags, int vipNum, Set<Integer> ringReals) {}

    /** One fixture: a frame, the XDP action expected ({@link XdpAction}) and the frame expected after the program ran. */
    public record Fixture(int index, String name, byte[] input, int expectedAction, byte[] expectedOutput) {}

    private final Path dir;
    private JsonNode provision;

    private KatranData(Path dir) {
        this.dir = dir;
    }

    /**
     * The data directory: system property ringfleet.shared + /conformance/katran (unset: {@code ../../shared}
     * from the working directory, i.e. beside the project when run in a module). Absent data aborts the calling
     * test.
     */
    public static KatranData load() {
        String shared = System.getProperty("ringfleet.shared");
        Path base = shared != null ? Path.of(shared) : Path.of(System.getProperty("user.dir"), "..", "..", "shared");
        Path dir =
                base.resolve("conformance").resolve("katran").toAbsolutePath().normalize();
        assumeTrue(
                Files.isRegularFile(dir.resolve("provision.json")),
                () -> "Katran conformance data not found: looked for "
                        + dir + "/provision.json"
                        + (shared == null ? " (system property ringfleet.shared is not set)" : "")
                        + "; set -Dringfleet.shared=DIR to the directory holding conformance/katran");
        return new KatranData(dir);
    }

    public Path dir() {
        return dir;
    }

    /** A file of the data as JSON; a missing file aborts the calling test. */
    public JsonNode json(String file) {
        Path path = dir.resolve(file);
        assumeTrue(Files.isRegularFile(path), () -> "Katran conformance file not found: looked for " + path);
        try {
            return JSON.readTree(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    public JsonNode provision() {
        if (provision == null) {
            provision = json("provision.json");
        }
        return provision;
    }

    /** A fixture file: a bare list (base, too-big) or an object whose "fixtures" is that list. */
    public List<Fixture> fixtures(String file) {
        List<Fixture> out = new ArrayList<>();
        JsonNode root = json(file);
        for (JsonNode f : root.isArray() ? root : root.get("fixtures")) {
            String action = f.get("expected_action").asText();
            out.add(new Fixture(
                    f.get("index").asInt(),
                    f.get("name").asText(),
                    Base64.getDecoder().decode(f.get("input_b64").asText()),
                    action.startsWith("TC_ACT_") ? TcAction.parse(action) : XdpAction.parse(action),
                    Base64.getDecoder().decode(f.get("expected_output_b64").asText())));
        }
        return out;
    }

    public List<Fixture> baseFixtures() {
        return fixtures("base_fixtures.json");
    }

    public List<Fixture> tooBigFixtures() {
        return fixtures("icmp_too_big_fixtures.json");
    }

    public byte[] gatewayMac() {
        return mac(provision().get("default_gateway_mac").asText());
    }

    /** real index -> address. */
    public Map<Integer, InetAddress> reals() {
        Map<Integer, InetAddress> out = new HashMap<>();
        for (JsonNode r : provision().get("reals")) {
            out.put(r.get("index").asInt(), ip(r.get("address").asText()));
        }
        return out;
    }

    public List<Vip> vips() {
        List<Vip> out = new ArrayList<>();
        for (JsonNode v : provision().get("vips")) {
            Set<Integer> ringReals = new HashSet<>();
            JsonNode ring = provision().get("rings").get(v.get("ring_id").asText());
            if (ring != null) {
                ring.forEach(slot -> ringReals.add(slot.asInt()));
            }
            out.add(new Vip(
                    ip(v.get("address").asText()),
                    v.get("port").asInt(),
                    v.get("proto").asInt(),
                    v.get("flags").asInt(),
                    v.get("vip_num").asInt(),
                    Set.copyOf(ringReals)));
        }
        return out;
    }

    /** "aa:bb:..." as bytes. */
    public static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] mac = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    /** A hex ("0x...") or decimal unsigned 64-bit value. */
    public static long u64(JsonNode node) {
        String s = node.asText();
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseUnsignedLong(s);
    }

    /** An address literal of the data. */
    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
