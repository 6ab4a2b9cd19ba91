package io.ringfleet.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/** A loaded BPF program (one fd, owned by this object). */
public final class BpfProgram implements AutoCloseable {
    /** bpf_prog_type values. */
    public static final int TYPE_SCHED_CLS = 3;

    public static final int TYPE_XDP = 6;

    private final int fd;
    private final String name;
    private final int typeCode;
    private final int id;
    private volatile boolean closed;

    private BpfProgram(int fd) {
        this.fd = fd;
        try {
            int[] info = NativeBpf.progInfo(fd);
            this.typeCode = info[0];
            this.id = info[1];
            this.name = NativeBpf.progName(fd);
        } catch (RuntimeException e) {
            NativeBpf.closeFd(fd);
            throw e;
        }
    }

    static BpfProgram adopt(int fd) {
        return new BpfProgram(fd);
    }

    /** Opens a program pinned in bpffs. */
    public static BpfProgram openPinned(Path path) {
        Objects.requireNonNull(path, "path");
        return new BpfProgram(NativeBpf.objGet(path.toString()));
    }

    /** Removes a pin (of a program or a map); false when there was none. The object lives on while used. */
    public static boolean unpin(Path path) {
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("unpinning " + path, e);
        }
    }

    /** Pins this program at path (a file in bpffs that must not exist yet). */
    public void pin(Path path) {
        NativeBpf.objPin(fd(), path.toString());
    }

    /** The kernel's name of the program (truncated to 15 characters). */
    public String name() {
        return name;
    }

    /** bpf_prog_type, e.g. {@link #TYPE_XDP}. */
    public int typeCode() {
        return typeCode;
    }

    /** The kernel's id of this program (what XDP / tc queries report). */
    public int id() {
        return id;
    }

    public int fd() {
        if (closed) {
            throw BpfException.of("fd", BpfException.EBADF, "program '" + name + "' is closed");
        }
        return fd;
    }

    /** Runs the program on a packet with BPF_PROG_TEST_RUN. */
    public TestRun.Result testRun(TestRun run) {
        Objects.requireNonNull(run, "run");
        byte[] out = run.dataOutCapacity() > 0 ? new byte[run.dataOutCapacity()] : null;
        byte[] ctxOut = run.contextOutCapacity() > 0 ? new byte[run.contextOutCapacity()] : null;
        long[] r = NativeBpf.progTestRun(
                fd(), run.data(), out, run.context(), ctxOut, run.repeat(), run.flags(), run.cpu(), run.batchSize());
        byte[] data = out == null ? new byte[0] : Arrays.copyOf(out, (int) Math.min(r[2], out.length));
        byte[] ctx = ctxOut == null ? new byte[0] : Arrays.copyOf(ctxOut, (int) Math.min(r[3], ctxOut.length));
        return new TestRun.Result((int) r[0], r[1], data, ctx);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NativeBpf.closeFd(fd);
        }
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + " type=" + typeCode + " id=" + id + (closed ? " closed" : "") + "]";
    }
}
