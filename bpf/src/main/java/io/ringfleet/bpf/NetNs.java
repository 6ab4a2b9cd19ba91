package io.ringfleet.bpf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A named network namespace (iproute2's /var/run/netns/NAME), for tests and the demo: create and
 * delete it with {@code ip}, run commands in it, and run Java code in it. Java code runs on a fresh
 * thread that setns()es into the namespace, so BPF device operations ({@link Xdp}, {@link Tc},
 * live-frames test runs) and sockets opened there see that namespace's devices.
 */
public final class NetNs implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String name;
    private final boolean owned;
    private volatile boolean closed;

    private NetNs(String name, boolean owned) {
        this.name = name;
        this.owned = owned;
    }

    /**
     * Creates a namespace named prefix-PID-N (unique on the machine) with lo up. Close deletes it.
     *
     * @param prefix letters, digits, '-' and '_', at most 16 characters
     */
    public static NetNs create(String prefix) {
        if (prefix == null || !prefix.matches("[A-Za-z0-9_-]{1,16}")) {
            throw new IllegalArgumentException("namespace prefix must be 1-16 of [A-Za-z0-9_-], got '" + prefix + "'");
        }
        String name = prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        run(List.of("ip", "netns", "add", name));
        NetNs ns = new NetNs(name, true);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** An existing namespace; close does not delete it. */
    public static NetNs existing(String name) {
        return new NetNs(Objects.requireNonNull(name, "name"), false);
    }

    /**
     * A veth pair: devA in a, devB in b (names at most 15 characters), both up.
     */
    public static void vethPair(NetNs a, String devA, NetNs b, String devB) {
        run(List.of("ip", "link", "add", devA, "netns", a.name, "type", "veth", "peer", "name", devB, "netns", b.name));
        a.ip("link", "set", devA, "up");
        b.ip("link", "set", devB, "up");
    }

    public String name() {
        return name;
    }

    public Path path() {
        return Path.of("/var/run/netns", name);
    }

    /** Runs {@code ip -n NAME args...}; returns stdout, throws with stderr on failure. */
    public String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    /** Runs a command inside the namespace ({@code ip netns exec}); returns stdout. */
    public String exec(String... command) {
        return run(execCommand(command));
    }

    /** Starts a command inside the namespace without waiting for it. */
    public Process start(String... command) {
        try {
            return new ProcessBuilder(execCommand(command)).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + String.join(" ", command) + " in " + name, e);
        }
    }

    private List<String> execCommand(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(Arrays.asList(command));
        return cmd;
    }

    /** The index of a device inside this namespace. */
    public int ifindex(String device) {
        return call(() -> Xdp.ifindex(device));
    }

    /** Runs task on a new thread that has entered this namespace; rethrows what it throws. */
    public <T> T call(Callable<T> task) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(
                () -> {
                    try {
                        int fd = NativeBpf.nsOpen(path().toString());
                        try {
                            NativeBpf.nsEnter(fd);
                        } finally {
                            NativeBpf.closeFd(fd);
                        }
                        result.set(task.call());
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                },
                "netns-" + name);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in " + name, e);
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException("task in namespace " + name + " failed", e);
        }
        return result.get();
    }

    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Deletes the namespace (when created by {@link #create}); its devices go with it. */
    @Override
    public void close() {
        if (!closed && owned) {
            closed = true;
            run(List.of("ip", "netns", "del", name));
        }
    }

    /** Runs a command in the caller's namespace; returns stdout, throws with stderr on failure. */
    public static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(p.getErrorStream(), err));
            errReader.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            errReader.join();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` exited " + p.exitValue() + ": "
                        + err.toString(StandardCharsets.UTF_8).strip());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("running " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process went away; what was read is kept
        }
    }

    @Override
    public String toString() {
        return "NetNs[" + name + "]";
    }
}
