package io.ringfleet.config;

/**
 * A node's value of one field as the file gives it: set, cleared (an empty value in the node's section) or bad
 * (already reported), where it was written, and whether it came from the node's own section or from defaults.
 */
record Picked<T>(T value, State state, int line, String path, boolean own) {
    enum State {
        SET,
        CLEARED,
        BAD
    }

    boolean set() {
        return state == State.SET;
    }

    boolean bad() {
        return state == State.BAD;
    }
}
