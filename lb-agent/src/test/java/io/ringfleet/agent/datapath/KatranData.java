package io.ringfleet.agent.datapath;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** shared/conformance/katran: provision.json and the packet fixtures. */
final class KatranData {
    /** One fixture: a frame, the XDP action expected and the frame expected after the program ran. */
    record Fixture(int index, String name, byte[] input, int expectedAction, byte[] expectedOutput) {}

    private final Path dir;
    private final JsonNode provision;

    private KatranData(Path dir) {
        this.dir = dir;
        this.provision = read("provision.json");
    }

    /** The data under -Dringfleet.shared; its absence aborts the calling test with the path looked for. */
    static KatranData load() {
        String shared = System.getProperty("ringfleet.shared");
        Path dir = Path.of(shared == null ? "<ringfleet.shared unset>" : shared, "conformance", "katran");
        assumeTrue(Files.isRegularFile(dir.resolve("provision.json")),
                () -> "Katran conformance data not found at " + dir.toAbsolutePath() + " (set -Dringfleet.shared=DIR)");
        return new KatranData(dir);
    }

    JsonNode provision() {
        return provision;
    }

    List<Fixture> baseFixtures() {
        List<Fixture> out = new ArrayList<>();
        for (JsonNode f : read("base_fixtures.json")) {
            out.add(new Fixture(f.get("index").asInt(), f.get("name").asText(),
                    Base64.getDecoder().decode(f.get("input_b64").asText()), action(f.get("expected_action").asText()),
                    Base64.getDecoder().decode(f.get("expected_output_b64").asText())));
        }
        return out;
    }

    static int action(String name) {
        return switch (name) {
            case "XDP_ABORTED" -> 0;
            case "XDP_DROP" -> 1;
            case "XDP_PASS" -> 2;
            case "XDP_TX" -> 3;
            case "XDP_REDIRECT" -> 4;
            default -> throw new IllegalArgumentException("unknown XDP action " + name);
        };
    }

    static String actionName(int action) {
        return switch (action) {
            case 0 -> "XDP_ABORTED";
            case 1 -> "XDP_DROP";
            case 2 -> "XDP_PASS";
            case 3 -> "XDP_TX";
            case 4 -> "XDP_REDIRECT";
            default -> "action " + action;
        };
    }

    private JsonNode read(String file) {
        try {
            return new ObjectMapper().readTree(Files.readAllBytes(dir.resolve(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dir.resolve(file), e);
        }
    }
}
