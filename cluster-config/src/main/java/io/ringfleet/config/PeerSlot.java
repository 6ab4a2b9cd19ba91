package io.ringfleet.config;

/** One item of {@code peers} as far as it could be read. */
final class PeerSlot {
    final int index;
    final int line;
    final String path;
    String rawId; // null if the id is missing or malformed
    String id; // null also when the id repeats an earlier peer's
    PeerRole role;
    HostPort raft;
    HostPort api;
    PeerConfig config; // null if any field is wrong

    PeerSlot(int index, int line) {
        this.index = index;
        this.line = line;
        this.path = "peers[" + index + "]";
    }
}
