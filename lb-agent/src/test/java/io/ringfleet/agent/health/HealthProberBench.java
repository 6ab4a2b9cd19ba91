package io.ringfleet.agent.health;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.CheckKind;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What probing costs: {@code --pairs} (VIP, real) pairs (default 1,000) at {@code --interval-ms} (default
 * 2,000, HAProxy's) for {@code --seconds} (default 60, after a 2-interval warm-up in which every pair comes up),
 * TCP or HTTP ({@code --kind}). Every pair probes one server on 127.0.0.1 (a thread of this JVM that accepts and,
 * for HTTP, answers 200) from its own SO_MARK socket; no forwarder is attached on loopback, so the marks are set
 * and ignored: the figure is the prober's own cost, not the network's.
 *
 * <p>Prints one JSON line: {@code cpu_percent_of_one_core} is the CPU time (user + system) of the prober's one
 * event-loop thread over the window divided by its wall time; {@code process_cpu_percent_of_one_core} is the
 * whole JVM's (the server thread, GC and JIT included) for comparison. Not a test: a main on lb-agent's test
 * classpath, see {@code scripts/bench-health.sh} and BENCHMARKS.md.
 */
public final class HealthProberBench {
    private HealthProberBench() {}

    public static void main(String[] args) throws Exception {
        int pairs = 1_000;
        int intervalMillis = HealthCheckSpec.DEFAULT_INTERVAL_MILLIS;
        int seconds = 60;
        CheckKind kind = CheckKind.TCP;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
                case "--interval-ms" -> intervalMillis = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--kind" -> kind = CheckKind.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i] + "; --pairs N --interval-ms MS --seconds S --kind tcp|http");
            }
        }
        run(pairs, intervalMillis, seconds, kind);
    }

    private static void run(int pairs, int intervalMillis, int seconds, CheckKind kind) throws Exception {
        ServerSocketChannel server =
                ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4_096);
        Thread serving = new Thread(() -> serve(server, kind == CheckKind.HTTP), "bench-server");
        serving.setDaemon(true);
        serving.start();
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();

        AtomicInteger up = new AtomicInteger();
        AtomicInteger down = new AtomicInteger();
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        ThreadFactory recording = task -> {
            Thread t = new Thread(task, "ringfleet-health");
            t.setDaemon(true);
            loopThread.set(t);
            return t;
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (HealthProber prober = HealthProber.builder(c -> (c.to() == Verdict.UP ? up : down).incrementAndGet())
                .registry(registry)
                .threadFactory(recording)
                .jitter(new Random(1))
                .build()) {
            prober.update(targets(pairs, intervalMillis, kind, port));
            Thread.sleep(2L * intervalMillis + 1_000); // warm-up: every pair probed at least twice (rise 2)
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long loopId = loopThread.get().getId();
            long probesBefore = probes(registry);
            long failedBefore = failed(registry);
            long loopCpu0 = threads.getThreadCpuTime(loopId);
            long loopUser0 = threads.getThreadUserTime(loopId);
            long processCpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            long wall = System.nanoTime() - wall0;
            long loopCpu = threads.getThreadCpuTime(loopId) - loopCpu0;
            long loopUser = threads.getThreadUserTime(loopId) - loopUser0;
            long processCpu = os.getProcessCpuTime() - processCpu0;
            System.out.println(json(
                    pairs,
                    intervalMillis,
                    seconds,
                    kind,
                    up.get(),
                    down.get(),
                    probes(registry) - probesBefore,
                    failed(registry) - failedBefore,
                    100.0 * loopCpu / wall,
                    100.0 * loopUser / wall,
                    100.0 * processCpu / wall,
                    registry));
        }
        server.close();
    }

    private static List<ProbeTarget> targets(int pairs, int intervalMillis, CheckKind kind, int port) {
        HealthCheckSpec spec = HealthCheckSpec.builder(kind, port)
                .intervalMillis(intervalMillis)
                .timeoutMillis(Math.min(HealthCheckSpec.DEFAULT_TIMEOUT_MILLIS, intervalMillis - 1))
                .build();
        VipKey vip = new VipKey(IpAddress.parse("127.0.0.1"), port, Protocol.TCP);
        List<ProbeTarget> targets = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            IpAddress real = IpAddress.fromBytes(new byte[] {10, 1, (byte) (i >> 8), (byte) i});
            targets.add(new ProbeTarget(new HealthPair(vip, real), i + 1, spec));
        }
        return targets;
    }

    /** Accepts and closes; for HTTP, first reads the request's first bytes and answers 200. */
    private static void serve(ServerSocketChannel server, boolean http) {
        byte[] ok =
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer in = ByteBuffer.allocate(4_096);
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                if (http) {
                    in.clear();
                    c.read(in);
                    c.write(ByteBuffer.wrap(ok));
                }
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    private static long probes(SimpleMeterRegistry registry) {
        return registry.find("ringfleet.health.probe").timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    private static long failed(SimpleMeterRegistry registry) {
        return registry.find("ringfleet.health.probe").tag("result", "failed").timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    private static String json(
            int pairs,
            int intervalMillis,
            int seconds,
            CheckKind kind,
            int up,
            int down,
            long probes,
            long failed,
            double loopPercent,
            double loopUserPercent,
            double processPercent,
            SimpleMeterRegistry registry) {
        Timer ok = registry.find("ringfleet.health.probe").tag("result", "ok").timer();
        double meanMs = ok == null ? 0 : ok.mean(java.util.concurrent.TimeUnit.MILLISECONDS);
        double maxMs = ok == null ? 0 : ok.max(java.util.concurrent.TimeUnit.MILLISECONDS);
        return String.format(
                Locale.ROOT,
                "{\"bench\":\"health-prober\",\"kind\":\"%s\",\"pairs\":%d,\"interval_ms\":%d,\"seconds\":%d,"
                        + "\"pairs_up\":%d,\"pairs_down\":%d,\"probes\":%d,\"probes_per_second\":%.1f,"
                        + "\"failed_probes\":%d,\"probe_mean_ms\":%.3f,\"probe_max_ms\":%.3f,"
                        + "\"cpu_percent_of_one_core\":%.3f,\"user_cpu_percent_of_one_core\":%.3f,"
                        + "\"process_cpu_percent_of_one_core\":%.3f}",
                kind.name().toLowerCase(Locale.ROOT),
                pairs,
                intervalMillis,
                seconds,
                up,
                down,
                probes,
                probes / (double) seconds,
                failed,
                meanMs,
                maxMs,
                loopPercent,
                loopUserPercent,
                processPercent);
    }
}
