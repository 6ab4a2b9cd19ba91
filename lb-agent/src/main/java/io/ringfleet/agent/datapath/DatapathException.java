package io.ringfleet.agent.datapath;

/** The datapath cannot be opened or attached as configured; the message says why and what to do. */
public final class DatapathException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatapathException(String message) {
        super(message);
    }

    public DatapathException(String message, Throwable cause) {
        super(message, cause);
    }
}
