package io.ringfleet.state.store;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A snapshot file of a {@link SnapshotStore}: {@code snapshot.<term>_<index>.sst}, named by the term and
 * log index of the last entry the image holds.
 */
public record SnapshotFile(Path path, long term, long index) {
    static final String PREFIX = "snapshot.";
    static final String SUFFIX = ".sst";
    private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d{1,19})_(\\d{1,19})\\.sst");

    /** Ascending index, then term. */
    public static final Comparator<SnapshotFile> ORDER =
            Comparator.comparingLong(SnapshotFile::index).thenComparingLong(SnapshotFile::term);

    public SnapshotFile {
        Objects.requireNonNull(path, "path");
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("term and index must be >= 0, got term " + term + " index " + index);
        }
    }

    /** The file name for a snapshot at (term, index). */
    public static String fileName(long term, long index) {
        return PREFIX + term + "_" + index + SUFFIX;
    }

    /** The snapshot a path names, if its file name is a snapshot name (temp, corrupt and md5 files are not). */
    public static Optional<SnapshotFile> parse(Path path) {
        Path name = path.getFileName();
        if (name == null) {
            return Optional.empty();
        }
        Matcher m = NAME.matcher(name.toString());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SnapshotFile(path, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
