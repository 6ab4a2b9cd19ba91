package io.ringfleet.state.maglev;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Katran conformance data: {@code ${ringfleet.shared}/conformance/katran} (surefire sets the
 * property to the project root's {@code ../shared}). When the directory is missing, tests that need
 * it are aborted with an assumption that names the path looked for.
 */
final class KatranData {

  private static final ObjectMapper JSON = new ObjectMapper();

  private KatranData() {}

  static Path dir() {
    String shared = System.getProperty("ringfleet.shared");
    Path base = shared != null ? Path.of(shared) : Path.of(System.getProperty("user.dir"), "..", "..", "shared");
    Path dir = base.resolve("conformance").resolve("katran").toAbsolutePath().normalize();
    assumeTrue(Files.isDirectory(dir), () -> "Katran conformance data not found: looked for " + dir
        + (shared == null ? " (system property ringfleet.shared is not set)" : "")
        + "; set -Dringfleet.shared=DIR to the directory holding conformance/katran");
    return dir;
  }

  static JsonNode read(String file) {
    Path path = dir().resolve(file);
    assumeTrue(Files.isRegularFile(path), () -> "Katran conformance file not found: looked for " + path);
    try {
      return JSON.readTree(path.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + path, e);
    }
  }

  /** A hex ("0x...") or decimal unsigned 64-bit value. */
  static long u64(JsonNode node) {
    String s = node.asText();
    return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseUnsignedLong(s);
  }
}
