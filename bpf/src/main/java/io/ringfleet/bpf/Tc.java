package io.ringfleet.bpf;

import java.util.Objects;

/** tc (clsact) BPF filters on devices of the calling thread's network namespace. */
public final class Tc {
    private Tc() {}

    /** BPF_TC_F_REPLACE. */
    private static final int F_REPLACE = 1;

    public enum Direction {
        INGRESS(1),
        EGRESS(2);

        private final int attachPoint;

        Direction(int attachPoint) {
            this.attachPoint = attachPoint;
        }
    }

    /** An attached filter: where it is and which program the kernel reported. */
    public record Attachment(int ifindex, Direction direction, int handle, int priority, int programId) {}

    /**
     * Attaches prog as a direct-action filter, creating the clsact qdisc when missing.
     *
     * @param handle   filter handle, 0 to let the kernel choose
     * @param priority filter priority, 0 to let the kernel choose
     * @param replace  replace a filter already at (handle, priority) instead of failing with EEXIST
     */
    public static Attachment attach(
            int ifindex, Direction direction, BpfProgram prog, int handle, int priority, boolean replace) {
        Objects.requireNonNull(prog, "prog");
        ensureClsact(ifindex, direction);
        int[] r = NativeBpf.tcAttach(
                ifindex, direction.attachPoint, prog.fd(), handle, priority, replace ? F_REPLACE : 0);
        return new Attachment(ifindex, direction, r[0], r[1], r[2]);
    }

    /** Attaches to clsact egress at (handle 1, priority 1), replacing what is there. */
    public static Attachment attachEgress(int ifindex, BpfProgram prog) {
        return attach(ifindex, Direction.EGRESS, prog, 1, 1, true);
    }

    /** Removes the filter. */
    public static void detach(Attachment a) {
        NativeBpf.tcDetach(a.ifindex(), a.direction().attachPoint, a.handle(), a.priority());
    }

    /** The program id at (handle, priority), 0 when there is no filter. */
    public static int attachedId(int ifindex, Direction direction, int handle, int priority) {
        return NativeBpf.tcQuery(ifindex, direction.attachPoint, handle, priority);
    }

    /** Removes the clsact qdisc with every filter on it (ingress and egress). */
    public static void destroyClsact(int ifindex) {
        NativeBpf.tcHookDestroy(ifindex, Direction.INGRESS.attachPoint | Direction.EGRESS.attachPoint);
    }

    private static void ensureClsact(int ifindex, Direction direction) {
        try {
            NativeBpf.tcHookCreate(ifindex, direction.attachPoint);
        } catch (BpfException e) {
            if (e.errno() != BpfException.EEXIST) {
                throw e;
            }
        }
    }
}
