package io.ringfleet.agent.daemon;

import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.testing.Commands;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Change acknowledged → programmed on every node, on a real in-JVM fleet (Ratis peers on loopback with mutual
 * TLS, API with mutual TLS, each node's BPF objects loaded in the kernel, not attached). A change is a
 * {@code SetRealWeights} of one member of one of 8 VIPs (50 reals each; the weight toggles 1 ↔ 2, so every
 * change rebuilds a Maglev ring and rewrites the slots that moved) sent through node 1's gRPC API.
 *
 * <ul>
 *   <li>one at a time: {@code --changes} single-command Apply calls, each sent after the previous one was
 *       programmed everywhere; per change: submit → ack (Apply returned: committed, applied on node 1),
 *       ack → programmed on every node, submit → programmed everywhere;
 *   <li>batched: {@code --batches} Apply calls of {@code --batch} commands each, back to back (each sent when the
 *       previous one was acknowledged; with {@code --in-flight K}, when one of the K outstanding ones was);
 *       changes per second from the first submit to the last batch programmed everywhere, and per-batch latencies.
 * </ul>
 * "Programmed on a node" = the node's map programmer reported an index ≥ the entry's (its pipeline listener,
 * timestamped in this JVM). Also printed: the 1-minute load average around each phase, the process CPU per change
 * above what the idle fleet burns (measured for 3 s before the phases; noisy on a shared box), the CPU time of the
 * JVM's threads per change by thread group, and the programming threads' CPU per run.
 * Run: {@code scripts/bench-agent.sh} (root).
 */
public final class ChangeToProgrammedBench {
    private static final int VIPS = 8;
    private static final int REALS = 50;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ChangeToProgrammedBench() {}

    /** CPU time of every live thread, by id. */
    private static Map<Long, long[]> threadCpu() {
        Map<Long, long[]> out = new HashMap<>();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null) {
                long cpu = THREADS.getThreadCpuTime(t.getThreadId());
                if (cpu >= 0) {
                    out.put(t.getThreadId(), new long[] {cpu});
                }
            }
        }
        return out;
    }

    /**
     * Thread CPU since {@code before} per change, grouped by thread name with node ids and numbers removed
     * ("map-programmer-lb2" and "-lb3" are one group): where the fleet's CPU went, top groups first.
     */
    private static String cpuByThreadGroup(Map<Long, long[]> before, double changes) {
        Map<String, Long> groups = new TreeMap<>();
        long total = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(t.getThreadId());
            if (cpu < 0) {
                continue;
            }
            long[] was = before.get(t.getThreadId());
            long d = cpu - (was == null ? 0 : was[0]);
            String group = t.getThreadName().replaceAll("lb\\d+", "lbN").replaceAll("\\d+", "N");
            groups.merge(group, d, Long::sum);
            total += d;
        }
        StringBuilder b = new StringBuilder(
                String.format(Locale.ROOT, "    thread CPU per change: %.3f ms in all", total / 1e6 / changes));
        groups.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(6)
                .forEach(e ->
                        b.append(String.format(Locale.ROOT, "; %s %.3f", e.getKey(), e.getValue() / 1e6 / changes)));
        return b.append(String.format("%n")).toString();
    }

    /** The 1-minute load average now (/proc/loadavg). */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(3, 5);
        int changes = 1000;
        int batch = 100;
        int batches = 50;
        int inFlight = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodes" ->
                    sizes = Arrays.stream(args[++i].split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--changes" -> changes = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; use --nodes 3,5 --changes N --batch N --batches N --in-flight N");
            }
        }
        Path pkiRoot = Files.createTempDirectory("ringfleet-bench-pki-");
        try {
            TestPki pki = TestPki.create(
                    pkiRoot, sizes.stream().mapToInt(Integer::intValue).max().orElse(3));
            for (int n : sizes) {
                run(pki, n, changes, batch, batches, inFlight);
            }
        } finally {
            AgentFleet.deleteTree(pkiRoot);
        }
        System.exit(0);
    }

    /** When each node first programmed an index at least as high as each key. */
    private static final class Programmed {
        final List<ConcurrentSkipListMap<Long, Long>> byNode = new ArrayList<>();
        final ConcurrentLinkedQueue<Long> runNanos = new ConcurrentLinkedQueue<>();
        final AtomicLong skips = new AtomicLong();
        final ConcurrentLinkedQueue<Long> applyToKernelNanos = new ConcurrentLinkedQueue<>();
        /** CPU time of each programming thread since its previous listener call (≈ the run's CPU: it sleeps between). */
        final ConcurrentLinkedQueue<Long> runCpuNanos = new ConcurrentLinkedQueue<>();

        final ThreadLocal<long[]> lastCpu = ThreadLocal.withInitial(() -> new long[] {-1});

        void attach(List<LbAgent> agents) {
            for (LbAgent a : agents) {
                ConcurrentSkipListMap<Long, Long> times = new ConcurrentSkipListMap<>();
                byNode.add(times);
                a.pipeline().addListener((image, report, lag) -> {
                    times.putIfAbsent(image.index(), System.nanoTime());
                    if (report.steps().isEmpty() && report.durationNanos() == 0) {
                        skips.incrementAndGet(); // Raft's own entry: the index moved, nothing was run
                        return;
                    }
                    runNanos.add(report.durationNanos());
                    applyToKernelNanos.add(lag);
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    long[] last = lastCpu.get();
                    if (last[0] >= 0) {
                        runCpuNanos.add(cpu - last[0]);
                    }
                    last[0] = cpu;
                });
            }
        }

        /** Programming runs (all nodes) since the last call: count, run time and apply-to-kernel lag. */
        String report(String phase, int nodes) {
            long[] runs = runNanos.stream().mapToLong(Long::longValue).toArray();
            long[] lags = applyToKernelNanos.stream().mapToLong(Long::longValue).toArray();
            long[] cpus = runCpuNanos.stream().mapToLong(Long::longValue).toArray();
            runNanos.clear();
            applyToKernelNanos.clear();
            runCpuNanos.clear();
            long skipped = skips.getAndSet(0);
            if (runs.length == 0) {
                return "";
            }
            return String.format(
                    Locale.ROOT,
                    "  %s: %d programming runs on %d nodes (+%d images of Raft's own entries,"
                            + " no run); run (read+plan+write) p50 %.2f ms p99 %.2f ms; applied -> in the kernel p50 %.2f ms"
                            + " p99 %.2f ms; programming thread CPU per run p50 %.3f ms p99 %.3f ms%n",
                    phase,
                    runs.length,
                    nodes,
                    skipped,
                    ms(runs, 50),
                    ms(runs, 99),
                    ms(lags, 50),
                    ms(lags, 99),
                    cpus.length == 0 ? 0 : ms(cpus, 50),
                    cpus.length == 0 ? 0 : ms(cpus, 99));
        }

        /** Waits until every node programmed {@code index}; returns the time the last of them did. */
        long awaitEverywhere(long index, long deadlineNanos) throws InterruptedException {
            long last = 0;
            for (ConcurrentSkipListMap<Long, Long> node : byNode) {
                Map.Entry<Long, Long> e;
                while ((e = node.ceilingEntry(index)) == null) {
                    if (System.nanoTime() > deadlineNanos) {
                        throw new IllegalStateException("index " + index + " not programmed everywhere in time");
                    }
                    Thread.sleep(0, 200_000);
                }
                last = Math.max(last, e.getValue());
            }
            return last;
        }
    }

    private static void run(TestPki pki, int nodes, int changes, int batch, int batches, int inFlight)
            throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            ids.add("lb" + i);
        }
        try (AgentFleet fleet = new AgentFleet(pki, ids, 16, Map.of())) {
            fleet.startAll(Duration.ofSeconds(120));
            Programmed programmed = new Programmed();
            programmed.attach(fleet.running());
            io.grpc.ManagedChannel channel = io.grpc.Grpc.newChannelBuilderForAddress(
                            "127.0.0.1",
                            fleet.agent("lb1").apiAddress().getPort(),
                            pki.material("alice").apiClientCredentials())
                    .build();
            ControlServiceGrpc.ControlServiceBlockingStub api = ControlServiceGrpc.newBlockingStub(channel);
            ControlServiceGrpc.ControlServiceFutureStub async = ControlServiceGrpc.newFutureStub(channel);
            VipKey[] vips = new VipKey[VIPS];
            List<Command> setup = new ArrayList<>();
            for (int v = 0; v < VIPS; v++) {
                vips[v] = Commands.vip("10.210.0." + (v + 1), 80, Commands.TCP);
                setup.add(Commands.addVip(vips[v]));
                String[] reals = new String[REALS];
                for (int r = 0; r < REALS; r++) {
                    reals[r] = real(r) + "=1";
                }
                setup.add(Commands.addReals(vips[v], reals));
            }
            ApplyResponse s = apply(api, setup);
            programmed.awaitEverywhere(s.getLogIndex(), System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
            int[][] weight = new int[VIPS][REALS];
            for (int[] w : weight) {
                Arrays.fill(w, 1);
            }
            int[] cursor = {0};

            // warm-up: JIT, channels
            for (int i = 0; i < 50; i++) {
                ApplyResponse r = apply(api, List.of(nextChange(vips, weight, cursor)));
                programmed.awaitEverywhere(r.getLogIndex(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            }

            programmed.report("warm-up", nodes); // discarded
            // what the idle fleet burns (heartbeats, status polls): subtracted from the phases' CPU per change
            long idleCpu0 = OS.getProcessCpuTime();
            long idleT0 = System.nanoTime();
            Thread.sleep(3000);
            double idleCores = (double) (OS.getProcessCpuTime() - idleCpu0) / (System.nanoTime() - idleT0);
            String oneLoadBefore = loadAverage();
            long oneCpu0 = OS.getProcessCpuTime();
            Map<Long, long[]> oneThreads = threadCpu();
            long[] ack = new long[changes];
            long[] ackToProgrammed = new long[changes];
            long[] total = new long[changes];
            long oneStart = System.nanoTime();
            for (int i = 0; i < changes; i++) {
                Command c = nextChange(vips, weight, cursor);
                long t0 = System.nanoTime();
                ApplyResponse r = apply(api, List.of(c));
                long t1 = System.nanoTime();
                long t2 = programmed.awaitEverywhere(r.getLogIndex(), t1 + TimeUnit.SECONDS.toNanos(30));
                ack[i] = t1 - t0;
                ackToProgrammed[i] = Math.max(0, t2 - t1);
                total[i] = t2 - t0;
            }
            double oneRate = changes / ((System.nanoTime() - oneStart) / 1e9);
            double oneCpuPerChange =
                    (OS.getProcessCpuTime() - oneCpu0 - idleCores * (System.nanoTime() - oneStart)) / 1e6 / changes;
            String oneLoadAfter = loadAverage();
            String oneThreadCpu = cpuByThreadGroup(oneThreads, changes);
            String oneRuns = programmed.report("one at a time", nodes);

            String batchLoadBefore = loadAverage();
            long batchCpu0 = OS.getProcessCpuTime();
            Map<Long, long[]> batchThreads = threadCpu();
            long[] batchTotal = new long[batches];
            long[] batchAckToProgrammed = new long[batches];
            long batchStart = System.nanoTime();
            long lastIndex = 0;
            long[] sent = new long[batches];
            long[] acked = new long[batches];
            long[] indexes = new long[batches];
            // at most inFlight Apply calls outstanding: the next batch is sent when one of them is acknowledged
            Semaphore window = new Semaphore(inFlight);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            for (int b = 0; b < batches; b++) {
                List<Command> cmds = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    cmds.add(nextChange(vips, weight, cursor));
                }
                window.acquire();
                int slot = b;
                sent[b] = System.nanoTime();
                com.google.common.util.concurrent.ListenableFuture<ApplyResponse> f = async.withDeadlineAfter(
                                60, TimeUnit.SECONDS)
                        .apply(ApplyRequest.newBuilder().addAllCommands(cmds).build());
                f.addListener(
                        () -> {
                            acked[slot] = System.nanoTime();
                            try {
                                indexes[slot] = f.get().getLogIndex();
                            } catch (Exception e) {
                                failed.set(e);
                            }
                            window.release();
                        },
                        Runnable::run);
            }
            window.acquire(inFlight);
            if (failed.get() != null) {
                throw new IllegalStateException("a batch failed", failed.get());
            }
            lastIndex = Arrays.stream(indexes).max().orElse(0);
            long end = programmed.awaitEverywhere(lastIndex, System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
            for (int b = 0; b < batches; b++) {
                long t = programmed.awaitEverywhere(indexes[b], System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                batchTotal[b] = t - sent[b];
                batchAckToProgrammed[b] = Math.max(0, t - acked[b]);
            }
            double batchRate = (double) batch * batches / ((end - batchStart) / 1e9);
            double batchCpuPerChange = (OS.getProcessCpuTime() - batchCpu0 - idleCores * (end - batchStart))
                    / 1e6
                    / ((double) batch * batches);
            String batchLoadAfter = loadAverage();
            String batchThreadCpu = cpuByThreadGroup(batchThreads, (double) batch * batches);
            String batchRuns = programmed.report("batched", nodes);

            System.out.printf(
                    Locale.ROOT,
                    "%n== %d nodes (in one JVM, loopback, mutual TLS), %d VIPs x %d reals ==%n",
                    nodes,
                    VIPS,
                    REALS);
            System.out.printf(Locale.ROOT, "idle fleet: %.2f cores of process CPU (subtracted below)%n", idleCores);
            System.out.printf(
                    Locale.ROOT,
                    "one change at a time, %d changes: %.0f changes/s; process CPU above idle %.2f ms"
                            + " per change (all nodes, client included); load average %s -> %s%n",
                    changes,
                    oneRate,
                    oneCpuPerChange,
                    oneLoadBefore,
                    oneLoadAfter);
            line("  submit -> ack", ack);
            line("  ack -> programmed on all nodes", ackToProgrammed);
            line("  submit -> programmed on all nodes", total);
            System.out.print(oneThreadCpu);
            System.out.print(oneRuns);
            System.out.printf(
                    Locale.ROOT,
                    "batched, %d batches of %d changes, %d in flight: %.0f changes/s; process"
                            + " CPU above idle %.3f ms per change; load average %s -> %s%n",
                    batches,
                    batch,
                    inFlight,
                    batchRate,
                    batchCpuPerChange,
                    batchLoadBefore,
                    batchLoadAfter);
            line("  batch: ack -> programmed on all nodes", batchAckToProgrammed);
            line("  batch: submit -> programmed on all nodes", batchTotal);
            System.out.print(batchThreadCpu);
            System.out.print(batchRuns);
            System.out.printf(
                    Locale.ROOT,
                    "{\"nodes\":%d,\"changes\":%d,\"one_per_s\":%.0f,\"ack_p50_ms\":%.2f,"
                            + "\"ack_p99_ms\":%.2f,\"ack_to_programmed_p50_ms\":%.2f,\"ack_to_programmed_p99_ms\":%.2f,"
                            + "\"total_p50_ms\":%.2f,\"total_p99_ms\":%.2f,\"batch\":%d,\"batches\":%d,\"batched_per_s\":%.0f,"
                            + "\"batch_total_p50_ms\":%.2f,\"batch_total_p99_ms\":%.2f,\"one_cpu_ms_per_change\":%.3f,"
                            + "\"batched_cpu_ms_per_change\":%.4f,\"load_one\":\"%s\",\"load_batched\":\"%s\",\"idle_cores\":%.2f}%n",
                    nodes,
                    changes,
                    oneRate,
                    ms(ack, 50),
                    ms(ack, 99),
                    ms(ackToProgrammed, 50),
                    ms(ackToProgrammed, 99),
                    ms(total, 50),
                    ms(total, 99),
                    batch,
                    batches,
                    batchRate,
                    ms(batchTotal, 50),
                    ms(batchTotal, 99),
                    oneCpuPerChange,
                    batchCpuPerChange,
                    oneLoadBefore + "-" + oneLoadAfter,
                    batchLoadBefore + "-" + batchLoadAfter,
                    idleCores);
            channel.shutdownNow();
        }
    }

    private static String real(int r) {
        return "10.211." + (r / 250) + "." + (r % 250 + 1);
    }

    /** The next (VIP, real) pair in turn, its weight toggled between 1 and 2. */
    private static Command nextChange(VipKey[] vips, int[][] weight, int[] cursor) {
        int n = cursor[0]++;
        int v = n % VIPS;
        int r = (n / VIPS) % REALS;
        weight[v][r] = weight[v][r] == 1 ? 2 : 1;
        return Commands.setWeights(vips[v], real(r) + "=" + weight[v][r]);
    }

    private static ApplyResponse apply(ControlServiceGrpc.ControlServiceBlockingStub api, List<Command> commands) {
        return api.withDeadlineAfter(30, TimeUnit.SECONDS)
                .apply(ApplyRequest.newBuilder().addAllCommands(commands).build());
    }

    private static double ms(long[] nanos, int percentile) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(percentile / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }

    private static void line(String what, long[] nanos) {
        System.out.printf(
                Locale.ROOT,
                "%-44s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n",
                what,
                ms(nanos, 50),
                ms(nanos, 99),
                ms(nanos, 100));
    }
}
