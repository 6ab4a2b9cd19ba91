package io.ringfleet.bpf;

/**
 * A failed BPF / libbpf operation: what was attempted, the errno, and what libbpf printed on
 * this thread while attempting it (for a load failure that includes the verifier log).
 */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int E2BIG = 7;
    public static final int EBUSY = 16;
    public static final int EPERM = 1;
    public static final int EACCES = 13;
    public static final int EOPNOTSUPP = 95;
    /** Kernel-internal ENOTSUPP, returned by bpf(2) for commands a map type does not implement. */
    public static final int ENOTSUPP = 524;

    private final String operation;
    private final int errno;
    private final String libbpfLog;

    /** Called by the JNI shim; message already says what failed and the errno text. */
    BpfException(String operation, int errno, String message, String libbpfLog) {
        super(libbpfLog == null || libbpfLog.isBlank() ? message : message + "\nlibbpf: " + libbpfLog.strip());
        this.operation = operation;
        this.errno = errno;
        this.libbpfLog = libbpfLog == null ? "" : libbpfLog;
    }

    /** An argument rejected on the Java side, before any system call. */
    static BpfException invalid(String operation, String message) {
        return new BpfException(operation, EINVAL, operation + ": " + message + " (errno " + EINVAL + ")", null);
    }

    static BpfException of(String operation, int errno, String message) {
        return new BpfException(operation, errno, operation + ": " + message + " (errno " + errno + ")", null);
    }

    /** The operation that failed, e.g. "load", "update", "xdpAttach". */
    public String operation() {
        return operation;
    }

    /** The positive errno of the failure. */
    public int errno() {
        return errno;
    }

    /** What libbpf printed (warnings and info) on this thread during the failed call; may be empty. */
    public String libbpfLog() {
        return libbpfLog;
    }
}
