package io.ringfleet.state;

/** Where an image comes from: the Raft term and log index of the last entry folded into it. */
public record Provenance(long term, long index) {
    public static final Provenance EMPTY = new Provenance(0, 0);

    public Provenance {
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("term and index must be >= 0, got term " + term + " index " + index);
        }
    }

    @Override
    public String toString() {
        return "(t" + term + ", i" + index + ")";
    }
}
