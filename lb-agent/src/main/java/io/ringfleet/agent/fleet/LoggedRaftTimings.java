package io.ringfleet.agent.fleet;

import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.raft.RaftTimings;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft timings of the fleet settings in the log, remembered in the node's data dir so that the next start runs
 * them. Ratis takes its timings only when the server starts, and the log is read only after that: without this
 * file a node would run its config's timings however often it restarted.
 *
 * <p>As a publisher it writes the file (atomically, 0600) when the applied image's timings differ from the ones
 * last written; at start {@link #forStart} prefers the file to the config. The file is only a copy of the log: a
 * cleared data dir (a rejoin) starts from the config again until the log is replayed.
 */
public final class LoggedRaftTimings implements FleetPublisher {
    /** The file's name in the data dir (a file: Ratis looks only at directories there). */
    public static final String FILE_NAME = "raft-timings.properties";

    private static final Logger LOG = LoggerFactory.getLogger(LoggedRaftTimings.class);

    private final Path file;
    private RaftTimings written;

    public LoggedRaftTimings(Path dataDir) {
        this.file = Objects.requireNonNull(dataDir, "dataDir").resolve(FILE_NAME);
        this.written = read(file).orElse(null);
    }

    /**
     * The timings a node starts its Raft server with: the log's as last seen on this node, else its config's.
     * A file that cannot be read is logged (one WARN) and the config's are used: the log rewrites the file.
     */
    public static RaftTimings forStart(Path dataDir, RaftTimings config) {
        return read(dataDir.resolve(FILE_NAME)).orElse(config);
    }

    @Override
    public void publish(FleetDelta delta, FleetImage image) {
        Optional<RaftTimings> logged = image.settings().settings().map(FleetSettings::raftTimings);
        if (logged.isPresent() && !logged.get().equals(written)) {
            write(logged.get());
            written = logged.get();
        }
    }

    private void write(RaftTimings t) {
        Properties p = new Properties();
        p.setProperty(
                "election-timeout-min-ms", Long.toString(t.electionTimeoutMin().toMillis()));
        p.setProperty(
                "election-timeout-max-ms", Long.toString(t.electionTimeoutMax().toMillis()));
        p.setProperty("request-timeout-ms", Long.toString(t.requestTimeout().toMillis()));
        p.setProperty("pre-vote", Boolean.toString(t.preVote()));
        Path tmp = null;
        try {
            tmp = Files.createTempFile(
                    file.getParent(),
                    FILE_NAME,
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "Raft timings of the fleet settings in the log; read at the next start");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Never stop applying the log for a copy (a full disk, say): the next start runs the config's timings
            // and its mismatch says so.
            LOG.warn("could not remember the log's Raft timings in {}: {}", file, e.toString());
            deleteQuietly(tmp);
            return;
        }
        LOG.info("the fleet's Raft timings in the log are {}; this node runs them from its next start", t);
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the temp file stays; it is never read
            }
        }
    }

    private static Optional<RaftTimings> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return Optional.of(RaftTimings.of(
                    millis(p, "election-timeout-min-ms"),
                    millis(p, "election-timeout-max-ms"),
                    millis(p, "request-timeout-ms"),
                    Boolean.parseBoolean(required(p, "pre-vote"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn(
                    "ignoring {} ({}): the config's Raft timings are used until the log is replayed",
                    file,
                    e.toString());
            return Optional.empty();
        }
    }

    private static Duration millis(Properties p, String key) {
        return Duration.ofMillis(Long.parseLong(required(p, key)));
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return v.trim();
    }
}
