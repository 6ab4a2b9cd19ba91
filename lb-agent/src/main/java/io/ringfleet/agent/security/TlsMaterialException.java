package io.ringfleet.agent.security;

/** Certificates or keys that cannot be used, with a message that names the file and what is wrong. */
public final class TlsMaterialException extends Exception {
    private static final long serialVersionUID = 1L;

    public TlsMaterialException(String message) {
        super(message);
    }

    public TlsMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
