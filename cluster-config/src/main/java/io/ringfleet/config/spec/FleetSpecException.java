package io.ringfleet.config.spec;

/** A spec that cannot be read: one line saying where and what is allowed ("vips[1].reals[0]: ..."). */
public final class FleetSpecException extends Exception {
    private static final long serialVersionUID = 1L;

    public FleetSpecException(String message) {
        // No stack trace: the message is the answer for the person who wrote the file.
        super(message, null, false, false);
    }
}
