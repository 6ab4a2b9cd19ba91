package io.ringfleet.bpf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Throw-away pin directories in bpffs, shared by bpf's and lb-agent's tests (bpf's test-jar). */
public final class Bpffs {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Bpffs() {}

    /** A path for a pin directory that does not exist yet: {@code /sys/fs/bpf/<prefix>-<pid>-<n>}. */
    public static Path newDir(String prefix) {
        return Path.of("/sys/fs/bpf", prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
    }

    /** A fresh directory in bpffs, created; delete with {@link #deleteTree}. */
    public static Path createDir(String prefix) {
        try {
            return Files.createDirectories(newDir(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything under it; nothing when it is null or absent. */
    public static void deleteTree(Path dir) {
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
