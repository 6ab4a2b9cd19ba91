package io.ringfleet.state.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A snapshot file failed verification: it is refused, never loaded. The message names the file and why.
 */
public final class CorruptSnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String reason;

    public CorruptSnapshotException(Path file, String reason) {
        this(file, reason, null);
    }

    public CorruptSnapshotException(Path file, String reason, Throwable cause) {
        super("corrupt snapshot " + file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    /** The refused file. */
    public Path file() {
        return file;
    }

    /** Why it was refused (without the file name). */
    public String reason() {
        return reason;
    }
}
