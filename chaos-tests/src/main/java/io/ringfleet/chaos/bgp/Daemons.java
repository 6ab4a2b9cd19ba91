package io.ringfleet.chaos.bgp;

import io.ringfleet.bpf.NetNs;
import io.ringfleet.chaos.Pause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Starting and stopping routing daemons by their pid files, and the processes of a namespace. */
final class Daemons {
    private static final long START_TIMEOUT_MS = 10_000;

    private Daemons() {}

    /** Runs a daemonising command in ns and waits until its pid file names a live process; returns the pid. */
    static long startDaemon(NetNs ns, Path pidFile, String... command) {
        deleteQuietly(pidFile);
        ns.exec(command);
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            Optional<Long> pid = pid(pidFile);
            if (pid.isPresent() && alive(pid.get())) {
                return pid.get();
            }
            Pause.millis(20);
        }
        throw new IllegalStateException(
                "`" + String.join(" ", command) + "` in " + ns.name() + " wrote no live pid to " + pidFile);
    }

    /** Waits (as long as a start may take) until {@code file} exists, e.g. the socket a daemon listens on. */
    static void awaitFile(Path file, String daemon) {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!Files.exists(file)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(daemon + " did not create " + file);
            }
            Pause.millis(20);
        }
    }

    /** The pid its file names, if the file holds one. */
    static Optional<Long> pid(Path pidFile) {
        try {
            String text = Files.readString(pidFile).strip();
            return text.matches("\\d+") ? Optional.of(Long.parseLong(text)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGTERM, then SIGKILL after a second; returns once the process is gone. */
    static void stop(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                p.onExit().join();
            }
        });
    }

    /** Sends a signal (STOP, CONT, KILL) to these pids; pids already gone are skipped. */
    static void signal(String signal, List<Long> pids) {
        for (long pid : pids) {
            if (alive(pid)) {
                try {
                    NetNs.run(List.of("kill", "-" + signal, Long.toString(pid)));
                } catch (IllegalStateException gone) {
                    // exited between the check and the signal
                }
            }
        }
    }

    /** Every process whose network namespace is ns ({@code ip netns pids}). */
    static List<Long> processesOf(NetNs ns) {
        List<Long> pids = new ArrayList<>();
        for (String line : NetNs.run(List.of("ip", "netns", "pids", ns.name())).split("\n")) {
            if (line.strip().matches("\\d+")) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        return pids;
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + file, e);
        }
    }
}
