package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum PeerRole {
    /** A member of the Raft quorum (votes, may lead). */
    VOTER("voter"),
    /** Receives the log without voting (Ratis listener). */
    LISTENER("listener");

    private final String configName;

    PeerRole(String configName) {
        this.configName = configName;
    }

    /** The value as written in the config file. */
    public String configName() {
        return configName;
    }

    @Override
    public String toString() {
        return configName;
    }
}
