package io.ringfleet.agent.security;

/** A development CA operation that failed; the message is one line that says why. */
public final class CertificateToolException extends Exception {
    private static final long serialVersionUID = 1L;

    public CertificateToolException(String message) {
        super(message);
    }

    public CertificateToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
