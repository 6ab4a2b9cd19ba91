package io.ringfleet.state.snapshot;

import java.io.IOException;

/** A snapshot's bytes are not a valid snapshot of this format. */
public final class SnapshotFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SnapshotFormatException(String message) {
        super(message);
    }
}
