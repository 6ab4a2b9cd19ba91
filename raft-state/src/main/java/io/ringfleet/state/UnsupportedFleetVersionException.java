package io.ringfleet.state;

/**
 * A log entry (or snapshot) this software cannot apply: a command kind it does not know, or a fleet version
 * above the one it supports. Applying it anyway, or skipping it, would make this replica diverge from the
 * fleet: the replica must stop (the state machine throws it out of apply, and Ratis stops applying) until
 * its software is upgraded. The message is one line naming the entry, the versions and what to do.
 */
public final class UnsupportedFleetVersionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedFleetVersionException(String message) {
        super(message);
    }
}
