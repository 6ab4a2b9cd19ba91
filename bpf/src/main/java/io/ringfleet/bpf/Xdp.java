package io.ringfleet.bpf;

import java.util.Objects;

/** Attaching XDP programs to devices of the calling thread's network namespace (see {@link NetNs}). */
public final class Xdp {
    private Xdp() {}

    static final int F_UPDATE_IF_NOEXIST = 1;
    static final int F_REPLACE = 1 << 4;

    /** Where in the stack the program runs. */
    public enum Mode {
        /** Native XDP in the driver (XDP_FLAGS_DRV_MODE); veth supports it. */
        DRIVER(1 << 2),
        /** Generic XDP on the skb path (XDP_FLAGS_SKB_MODE); works on any device. */
        GENERIC(1 << 1);

        private final int flag;

        Mode(int flag) {
            this.flag = flag;
        }

        int flag() {
            return flag;
        }
    }

    /** Attaches prog; fails with EBUSY / EEXIST when a program is already attached in that mode. */
    public static void attach(int ifindex, BpfProgram prog, Mode mode) {
        Objects.requireNonNull(prog, "prog");
        NativeBpf.xdpAttach(ifindex, prog.fd(), mode.flag() | F_UPDATE_IF_NOEXIST, -1);
    }

    /**
     * Atomically swaps expectedOld for prog; fails with EEXIST when another program is attached
     * (someone else replaced it) — the caller decides what to do.
     */
    public static void replace(int ifindex, BpfProgram prog, BpfProgram expectedOld, Mode mode) {
        Objects.requireNonNull(prog, "prog");
        Objects.requireNonNull(expectedOld, "expectedOld");
        NativeBpf.xdpAttach(ifindex, prog.fd(), mode.flag() | F_REPLACE, expectedOld.fd());
    }

    /** Detaches whatever program is attached in that mode (no error when none is). */
    public static void detach(int ifindex, Mode mode) {
        NativeBpf.xdpDetach(ifindex, mode.flag(), -1);
    }

    /** Detaches only if expected is the attached program (EEXIST otherwise). */
    public static void detach(int ifindex, BpfProgram expected, Mode mode) {
        NativeBpf.xdpDetach(ifindex, mode.flag() | F_REPLACE, expected.fd());
    }

    /** The id of the program attached in that mode, 0 when none. */
    public static int attachedId(int ifindex, Mode mode) {
        return NativeBpf.xdpQueryId(ifindex, mode.flag());
    }

    /** The index of a device of the calling thread's network namespace. */
    public static int ifindex(String device) {
        return NativeBpf.ifNameToIndex(device);
    }
}
