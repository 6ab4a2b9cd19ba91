package io.ringfleet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Small valid configs to vary line by line, so every expected line number is easy to check by eye. */
final class Fixtures {
    private Fixtures() {}

    /** One voter, plaintext. Line numbers matter: tests replace lines by number. */
    static final String ONE = String.join(
            "\n",
            "fleet-id: f", // 1
            "peers:", // 2
            "  - id: lb1", // 3
            "    raft-address: 10.0.0.1:9870", // 4
            "    api-address: 10.0.0.1:9871", // 5
            "    role: voter", // 6
            "defaults:", // 7
            "  interface: eth0", // 8
            "  gateway-mac: \"0a:1b:2c:3d:4e:5f\"", // 9
            "tls:", // 10
            "  plaintext: true", // 11
            "");

    /** Three voters on three hosts, plaintext. */
    static final String THREE = String.join(
            "\n",
            "fleet-id: f", // 1
            "peers:", // 2
            "  - id: lb1", // 3
            "    raft-address: 10.0.0.1:9870", // 4
            "    api-address: 10.0.0.1:9871", // 5
            "    role: voter", // 6
            "  - id: lb2", // 7
            "    raft-address: 10.0.0.2:9870", // 8
            "    api-address: 10.0.0.2:9871", // 9
            "    role: voter", // 10
            "  - id: lb3", // 11
            "    raft-address: 10.0.0.3:9870", // 12
            "    api-address: 10.0.0.3:9871", // 13
            "    role: voter", // 14
            "defaults:", // 15
            "  interface: eth0", // 16
            "  gateway-mac: \"0a:1b:2c:3d:4e:5f\"", // 17
            "tls:", // 18
            "  plaintext: true", // 19
            "");

    /** {@code text} with line {@code n} (1-based) replaced by {@code lines} (none to delete it). */
    static String replace(String text, int n, String... lines) {
        List<String> all = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        all.remove(n - 1);
        all.addAll(n - 1, Arrays.asList(lines));
        return String.join("\n", all);
    }

    /** {@code text} with {@code lines} inserted after line {@code n} (0 for the top). */
    static String insert(String text, int n, String... lines) {
        List<String> all = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        all.addAll(n, Arrays.asList(lines));
        return String.join("\n", all);
    }

    /** {@code text} with {@code lines} added at the end. */
    static String append(String text, String... lines) {
        return text + String.join("\n", lines) + "\n";
    }

    static FleetConfig load(String yaml) {
        try {
            return FleetConfigLoader.parse(yaml, "fleet.yaml");
        } catch (ConfigException e) {
            throw new AssertionError("expected the config to load, got:\n" + e.getMessage(), e);
        }
    }

    /** The errors of a config that must not load, as the lines a person reads. */
    static List<String> errors(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> FleetConfigLoader.parse(yaml, "fleet.yaml"));
        assertEquals(
                e.getMessage(),
                e.errors().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")),
                "the message lists the errors one per line");
        return e.errors().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }

    /** Asserts the config fails with exactly this one error. */
    static void assertError(String yaml, String expected) {
        assertEquals(List.of(expected), errors(yaml));
    }

    static List<String> warnings(FleetConfig config) {
        return config.warnings().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }
}
