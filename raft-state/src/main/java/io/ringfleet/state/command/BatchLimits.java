package io.ringfleet.state.command;

/**
 * The size and provenance limits of one batch (one log entry): the one owner of "1,000 commands per batch".
 * The API edge checks them to answer early ({@code BatchWriter}); the state machine checks them again at apply
 * time ({@link ProvenanceRules}, {@link CommandValidator}), because a client of the log that bypasses the API
 * must not get a larger entry applied. Unlike {@code FleetLimits} they are not configurable: every replica and
 * every API must agree on them whatever its config says.
 */
public final class BatchLimits {
    /** At most this many commands in one batch. */
    public static final int MAX_COMMANDS = 1000;
    /** At most this many bytes of encoded batch (1 MiB). */
    public static final int MAX_BATCH_BYTES = 1 << 20;
    /** A request id is 1 to this many printable ASCII characters (no space). */
    public static final int MAX_REQUEST_ID = 128;
    /** A principal (a certificate's CN, or {@code plaintext@<address>}) is 1 to this many characters. */
    public static final int MAX_PRINCIPAL = 256;
    /** A via-node is a peer id: 1 to this many letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static final int MAX_VIA_NODE = 63;

    private BatchLimits() {}
}
