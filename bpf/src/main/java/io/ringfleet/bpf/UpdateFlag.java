package io.ringfleet.bpf;

/** The flags of BPF_MAP_UPDATE_ELEM. */
public enum UpdateFlag {
    /** BPF_ANY: create or overwrite. */
    ANY(0),
    /** BPF_NOEXIST: create only; EEXIST if the key is present. */
    NOEXIST(1),
    /** BPF_EXIST: overwrite only; ENOENT if the key is absent. */
    EXIST(2);

    private final long bits;

    UpdateFlag(long bits) {
        this.bits = bits;
    }

    long bits() {
        return bits;
    }
}
