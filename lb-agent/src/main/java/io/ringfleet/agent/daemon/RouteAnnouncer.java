package io.ringfleet.agent.daemon;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.VipImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's route-announcement hook so that routers send VIP traffic here only while this node is ready
 * and not drained. The hook is a command from the node's config ({@code route-hook}), run as
 *
 * <pre>{@code
 * <hook> announce VIP...    # this node should announce exactly these VIP addresses now (withdraw any other)
 * <hook> withdraw VIP...    # this node should announce none of its VIP routes (the VIPs are listed)
 * }</pre>
 *
 * VIP addresses are the distinct addresses of the programmed image's VIPs, sorted (IPv4 dotted, IPv6 in
 * canonical form, no brackets, no ports). Environment: {@code RINGFLEET_NODE_ID}, {@code RINGFLEET_ACTION}.
 * Exit status 0 is success; anything else, or no exit within the timeout (the process is killed), is a failure.
 *
 * <p>When: {@code announce} once the node is ready (programmed the commit index seen at start) and not
 * drained, and again whenever the VIP set changes; {@code withdraw} when a {@code NodeDrained} record for this
 * node is programmed (and at start if the node is drained). The hook runs only on a change of (action, VIPs),
 * one call at a time, on a thread of its own. A failure is logged and counted, and the call is retried on the
 * next change or after {@code retryAfter}. Announcing never touches the datapath: XDP stays attached, so
 * packets that still arrive after a withdraw are served.
 */
public final class RouteAnnouncer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteAnnouncer.class);
    private static final int MAX_OUTPUT_CHARS = 2000;

    /** The hook's first argument. */
    public enum Action {
        ANNOUNCE,
        WITHDRAW;

        public String arg() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One (action, VIPs) the hook is asked to make true. */
    public record Call(Action action, List<String> vips) {
        public Call {
            Objects.requireNonNull(action, "action");
            vips = List.copyOf(vips);
        }

        List<String> argv(Path hook) {
            List<String> argv = new ArrayList<>();
            argv.add(hook.toString());
            argv.add(action.arg());
            argv.addAll(vips);
            return argv;
        }
    }

    private final String nodeId;
    private final Optional<Path> hook;
    private final Duration timeout;
    private final Duration retryAfter;
    private final ScheduledExecutorService thread;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failures = new LongAdder();

    // guarded by this
    private Call wanted;
    private Call done;
    private boolean running;
    private ScheduledFuture<?> retry;
    private boolean closed;
    private volatile String lastError;
    private volatile boolean announcing;

    public RouteAnnouncer(String nodeId, Optional<Path> hook, Duration timeout, Duration retryAfter) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.hook = Objects.requireNonNull(hook, "hook");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "route-hook-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** What the hook should be asked for this programmed image; empty while not ready (nothing is called). */
    public static Optional<Call> wanted(String nodeId, FleetImage programmed, boolean ready) {
        if (!ready) {
            return Optional.empty();
        }
        TreeSet<io.ringfleet.state.IpAddress> addresses = new TreeSet<>();
        for (VipImage v : programmed.vips().all()) {
            addresses.add(v.key().address());
        }
        boolean drained = programmed.nodes().isDrained(nodeId);
        return Optional.of(new Call(
                drained ? Action.WITHDRAW : Action.ANNOUNCE,
                addresses.stream().map(Object::toString).toList()));
    }

    /** The node programmed {@code image}; {@code ready} says whether it has caught up with the start. */
    public void update(FleetImage image, boolean ready) {
        wanted(nodeId, image, ready).ifPresent(this::want);
    }

    private synchronized void want(Call call) {
        if (closed || call.equals(wanted)) {
            return;
        }
        wanted = call;
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        kick();
    }

    private void kick() {
        if (!running && !wanted.equals(done)) {
            running = true;
            thread.execute(this::runWanted);
        }
    }

    private void runWanted() {
        Call call;
        synchronized (this) {
            call = wanted;
            if (closed || call == null || call.equals(done)) {
                running = false;
                return;
            }
        }
        boolean ok = run(call);
        synchronized (this) {
            running = false;
            if (ok) {
                done = call;
                announcing = call.action() == Action.ANNOUNCE;
            } else if (!closed && call.equals(wanted)) {
                retry = thread.schedule(
                        () -> {
                            synchronized (this) {
                                retry = null;
                                if (!closed) {
                                    kick();
                                }
                            }
                        },
                        retryAfter.toMillis(),
                        TimeUnit.MILLISECONDS);
                return;
            }
            if (!closed) {
                kick();
            }
        }
    }

    private boolean run(Call call) {
        calls.increment();
        if (hook.isEmpty()) {
            LOG.info(
                    "{}: routes: {} {} (no route-hook configured)",
                    nodeId,
                    call.action().arg(),
                    call.vips());
            lastError = null;
            return true;
        }
        List<String> argv = call.argv(hook.get());
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("RINGFLEET_NODE_ID", nodeId);
            env.put("RINGFLEET_ACTION", call.action().arg());
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return failed(call, "no exit within " + timeout.toMillis() + " ms (killed)");
            }
            String out = output.getNow("");
            try {
                out = output.get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                // output still open (a child kept it): report what there is
            }
            if (p.exitValue() != 0) {
                return failed(call, "exit status " + p.exitValue() + (out.isBlank() ? "" : ": " + oneLine(out)));
            }
            LOG.info(
                    "{}: route hook {} {} ok{}",
                    nodeId,
                    call.action().arg(),
                    call.vips(),
                    out.isBlank() ? "" : ": " + oneLine(out));
            lastError = null;
            return true;
        } catch (IOException e) {
            return failed(call, "cannot run " + hook.get() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(call, "interrupted");
        }
    }

    private boolean failed(Call call, String why) {
        failures.increment();
        lastError = "route hook " + hook.map(Path::toString).orElse("") + " "
                + call.action().arg() + " failed: " + why;
        LOG.warn("{}: {}; retrying on the next change or in {} ms", nodeId, lastError, retryAfter.toMillis());
        return false;
    }

    private static String read(InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(MAX_OUTPUT_CHARS);
            in.transferTo(OutputStream.nullOutputStream());
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " | ");
    }

    /** The last call that succeeded was an announce. */
    public boolean announcing() {
        return announcing;
    }

    /** Why the last call failed; empty after a success. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Hook calls made (with or without a hook configured). */
    public long calls() {
        return calls.sum();
    }

    public long failures() {
        return failures.sum();
    }

    public Optional<Path> hook() {
        return hook;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (retry != null) {
                retry.cancel(false);
            }
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
