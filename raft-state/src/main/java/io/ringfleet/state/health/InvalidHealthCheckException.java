package io.ringfleet.state.health;

/** A health-check setting broke a rule; the message names the rule and the value given. */
public final class InvalidHealthCheckException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidHealthCheckException(String message) {
        super(message);
    }
}
