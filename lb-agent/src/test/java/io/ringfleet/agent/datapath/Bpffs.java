package io.ringfleet.agent.datapath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Throw-away pin directories in bpffs. */
final class Bpffs {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Bpffs() {}

    /** A path for a pin dir that does not exist yet. */
    static Path newDir(String prefix) {
        return Path.of(
                "/sys/fs/bpf",
                "rf-agent-test-" + prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
