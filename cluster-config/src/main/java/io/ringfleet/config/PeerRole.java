package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum PeerRole implements ConfigValue {
    /** A member of the Raft quorum (votes, may lead). */
    VOTER,
    /** Receives the log without voting (Ratis listener). */
    LISTENER;

    @Override
    public String toString() {
        return configName();
    }
}
