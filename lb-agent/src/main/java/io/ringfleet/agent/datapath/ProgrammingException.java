package io.ringfleet.agent.datapath;

/**
 * An image could not be programmed. When {@link #wroteNothing()} the image did not fit the maps and nothing was
 * written; otherwise a write failed part way, and the next run compares everything with the kernel again.
 */
public final class ProgrammingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long index;
    private final boolean wroteNothing;

    ProgrammingException(long index, boolean wroteNothing, String message, Throwable cause) {
        super(message, cause);
        this.index = index;
        this.wroteNothing = wroteNothing;
    }

    /** The index of the image that was being programmed. */
    public long index() {
        return index;
    }

    public boolean wroteNothing() {
        return wroteNothing;
    }
}
