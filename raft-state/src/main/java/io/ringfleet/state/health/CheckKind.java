package io.ringfleet.state.health;

/** How a health check probes a (VIP, real) pair. */
public enum CheckKind {
    /** The check passes when a TCP connection to the VIP address and the check's port is established. */
    TCP,
    /** The check passes when {@code GET path} answers with the expected status line. */
    HTTP
}
