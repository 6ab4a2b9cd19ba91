package io.ringfleet.bpf;

import java.util.Map;
import java.util.Optional;

/**
 * Whether this kernel lets us run XDP programs with BPF_F_TEST_XDP_LIVE_FRAMES. Some machines
 * refuse it to root (EPERM: seen without CAP_SYS_RESOURCE, and under some sandboxes), so every
 * user of live frames probes first and falls back or skips with {@link #refusal}'s reason.
 */
public final class LiveFrames {
    /** The errnos with which a kernel refuses the facility, as opposed to failing one request. */
    private static final Map<Integer, String> REFUSALS = Map.of(
            BpfException.EPERM, "EPERM",
            BpfException.EACCES, "EACCES",
            BpfException.EOPNOTSUPP, "EOPNOTSUPP",
            BpfException.ENOTSUPP, "ENOTSUPP");

    private LiveFrames() {}

    /**
     * Runs xdpProgram once in live-frames mode on ifindex (which must be in the calling thread's
     * namespace) and says why the kernel refused it, or empty when it ran. The frame really goes
     * through the program, so pass one whose verdict is harmless (XDP_PASS or XDP_DROP).
     *
     * @throws BpfException when the run failed for another reason (a bad ifindex, a bad frame)
     */
    public static Optional<String> refusal(BpfProgram xdpProgram, int ifindex, byte[] frame) {
        try {
            xdpProgram.testRun(TestRun.of(frame).liveFrames(ifindex, 0));
            return Optional.empty();
        } catch (BpfException e) {
            return Optional.of(reason(e));
        }
    }

    /** The one-line reason for a refusal; rethrows a failure that is not one. */
    static String reason(BpfException e) {
        String name = REFUSALS.get(e.errno());
        if (name == null) {
            throw e;
        }
        return "the kernel refuses BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: errno " + e.errno() + " (" + name
                + ")";
    }
}
