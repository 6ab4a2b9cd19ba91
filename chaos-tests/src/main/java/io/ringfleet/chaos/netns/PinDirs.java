package io.ringfleet.chaos.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The run's directories in bpffs, where each LB's datapath pins its maps and program as an agent would:
 * {@code /sys/fs/bpf/rfc-PID-XXXX-lbN}, named like the run's namespaces ({@link Namespaces}). Removing a
 * directory unpins everything in it (the kernel frees what nothing else holds).
 */
public final class PinDirs {
    /** Where bpffs is mounted (scripts/install-deps.sh mounts it). */
    public static final Path BPFFS = Path.of("/sys/fs/bpf");

    private static final Pattern RUN = Pattern.compile("^" + Namespaces.FAMILY + "(\\d+)-([0-9a-f]{4})-");

    private PinDirs() {}

    /** The pin directory of one node of a run: {@code /sys/fs/bpf/PREFIXNODE}. */
    public static Path of(String runPrefix, String node) {
        return BPFFS.resolve(runPrefix + node);
    }

    /** Removes every pin directory of the run; idempotent. Returns how many it removed. */
    public static int deleteAll(String runPrefix) {
        if (runPrefix == null
                || !runPrefix.startsWith(Namespaces.FAMILY)
                || runPrefix.length() <= Namespaces.FAMILY.length()) {
            throw new IllegalArgumentException(
                    "prefix must start with '" + Namespaces.FAMILY + "' and name a run, got '" + runPrefix + "'");
        }
        int n = 0;
        for (Path dir : list()) {
            if (dir.getFileName().toString().startsWith(runPrefix)) {
                delete(dir);
                n++;
            }
        }
        return n;
    }

    /** Removes the pin directories of earlier runs whose JVM is gone. Returns how many. */
    public static int deleteStale() {
        int n = 0;
        for (Path dir : list()) {
            Matcher m = RUN.matcher(dir.getFileName().toString());
            if (m.find()
                    && !ProcessHandle.of(Long.parseLong(m.group(1)))
                            .map(ProcessHandle::isAlive)
                            .orElse(false)) {
                delete(dir);
                n++;
            }
        }
        return n;
    }

    private static List<Path> list() {
        if (!Files.isDirectory(BPFFS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(BPFFS)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(Namespaces.FAMILY))
                    .toList());
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + BPFFS, e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing the pin directory " + dir, e);
        }
    }
}
