package io.ringfleet.agent.daemon;

import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.GetFleetSettingsRequest;
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
 * Modes ({@code --mode}, comma-separated; default {@code single,batched}), each ending with one JSON line
 * ({@code mode, nodes, p50_ms, p99_ms, changes_per_s, cpu_ms_per_change} and its thread groups,
 * {@code threads_started_per_change, load_avg}):
 * <ul>
 *   <li>{@code single}: {@code --changes} single-command Apply calls, each sent after the previous one was
 *       programmed everywhere; latency = submit → programmed on every node (the ack is reported too);
 *   <li>{@code batched}: {@code --batches} Apply calls of {@code --batch} commands each, back to back (each sent when
 *       one of the {@code --in-flight} outstanding ones was acknowledged); changes per second from the first submit
 *       to the last batch programmed everywhere; latency per batch;
 *   <li>{@code concurrent}: {@code --writers} threads sending single changes for {@code --seconds}, plus one thread
 *       of linearizable reads; acknowledged changes per second, submit → ack latency, read latency;
 *   <li>{@code restart}: the last node stopped and started {@code --restarts} times; start → ready.
 * </ul>
 * "Programmed on a node" = the node's map programmer reported an index ≥ the entry's (its pipeline listener,
 * timestamped in this JVM). CPU is the thread CPU of the whole JVM (every node and the client, idle heartbeats and
 * status polls included) during the phase, divided by its changes.
 * Run: {@code scripts/bench-agent.sh --mode ...} (root).
 */
public final class ChangeToProgrammedBench {
    private static final int VIPS = 8;
    private static final int REALS = 50;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

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
     * Thread CPU since {@code before}, grouped by thread name with node ids and numbers removed
     * ("map-programmer-lb2" and "-lb3" are one group), top groups first.
     */
    private static List<Map.Entry<String, Long>> cpuGroups(Map<Long, long[]> before) {
        Map<String, Long> groups = new TreeMap<>();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(t.getThreadId());
            if (cpu < 0) {
                continue;
            }
            long[] was = before.get(t.getThreadId());
            String group = t.getThreadName().replaceAll("lb\\d+", "lbN").replaceAll("\\d+", "N");
            groups.merge(group, cpu - (was == null ? 0 : was[0]), Long::sum);
        }
        return groups.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .toList();
    }

    /** Thread CPU of live threads since {@code before} (threads that ended meanwhile are not counted). */
    private static long totalCpu(Map<Long, long[]> before) {
        return cpuGroups(before).stream().mapToLong(Map.Entry::getValue).sum();
    }

    /** Where the fleet's CPU went per change: the top thread groups. */
    private static String cpuByThreadGroup(Map<Long, long[]> before, double changes) {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT, "    thread CPU per change: %.3f ms in all", totalCpu(before) / 1e6 / changes));
        cpuGroups(before).stream()
                .limit(6)
                .forEach(e ->
                        b.append(String.format(Locale.ROOT, "; %s %.3f", e.getKey(), e.getValue() / 1e6 / changes)));
        return b.append(String.format("%n")).toString();
    }

    /** The top thread groups' CPU per change as a JSON object (ms). */
    private static String cpuGroupsJson(Map<Long, long[]> before, double changes) {
        StringBuilder b = new StringBuilder("{");
        cpuGroups(before).stream()
                .limit(8)
                .forEach(e -> b.append(b.length() > 1 ? "," : "")
                        .append(String.format(
                                Locale.ROOT,
                                "\"%s\":%.3f",
                                e.getKey().replace("\"", "'"),
                                e.getValue() / 1e6 / changes)));
        return b.append('}').toString();
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
        // As the agent's main does: at parallelism 1 every async step of Ratis starts a thread.
        LbAgentMain.commonPoolParallelism();
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path pkiRoot = Files.createTempDirectory("ringfleet-bench-pki-");
        try {
            TestPki pki = TestPki.create(
                    pkiRoot,
                    options.sizes().stream().mapToInt(Integer::intValue).max().orElse(3));
            for (int n : options.sizes()) {
                run(pki, n, options);
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

    /** One fleet of {@code nodes}: setup and warm-up, then each requested mode in turn (restart last). */
    private static void run(TestPki pki, int nodes, BenchOptions o) throws Exception {
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
            Changes changes = new Changes(vips);
            // warm-up: JIT, channels
            for (int i = 0; i < 50; i++) {
                ApplyResponse r = apply(api, List.of(changes.next()));
                programmed.awaitEverywhere(r.getLogIndex(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            }
            programmed.report("warm-up", nodes); // discarded
            System.out.printf(
                    Locale.ROOT,
                    "%n== %d nodes (in one JVM, loopback, mutual TLS), %d VIPs x %d reals ==%n",
                    nodes,
                    VIPS,
                    REALS);
            for (String mode : o.modes()) {
                switch (mode) {
                    case "single" -> single(nodes, o.changes(), api, changes, programmed);
                    case "batched" -> batched(nodes, o, channel, changes, programmed);
                    case "concurrent" -> concurrent(nodes, o, channel, vips);
                    case "restart" -> restart(nodes, o.restarts(), fleet, ids.get(ids.size() - 1));
                    default -> throw new IllegalStateException(mode);
                }
            }
            channel.shutdownNow();
        }
    }

    /** CPU, load and thread starts around one phase. */
    private static final class Meter {
        final String loadBefore = loadAverage();
        final Map<Long, long[]> threads = threadCpu();
        final long threadsStarted = THREADS.getTotalStartedThreadCount();
        final long start = System.nanoTime();

        String json(String mode, int nodes, long[] latencies, double changes, double seconds, String extra) {
            return String.format(
                    Locale.ROOT,
                    "{\"mode\":\"%s\",\"nodes\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"changes_per_s\":%.0f,"
                            + "\"cpu_ms_per_change\":%.3f,\"cpu_ms_per_change_by_thread_group\":%s,"
                            + "\"threads_started_per_change\":%.2f,\"load_avg\":\"%s-%s\"%s}%n",
                    mode,
                    nodes,
                    ms(latencies, 50),
                    ms(latencies, 99),
                    changes / seconds,
                    totalCpu(threads) / 1e6 / changes,
                    cpuGroupsJson(threads, changes),
                    (THREADS.getTotalStartedThreadCount() - threadsStarted) / changes,
                    loadBefore,
                    loadAverage(),
                    extra);
        }
    }

    private static void single(
            int nodes,
            int count,
            ControlServiceGrpc.ControlServiceBlockingStub api,
            Changes changes,
            Programmed programmed)
            throws InterruptedException {
        Meter meter = new Meter();
        long[] ack = new long[count];
        long[] ackToProgrammed = new long[count];
        long[] total = new long[count];
        for (int i = 0; i < count; i++) {
            Command c = changes.next();
            long t0 = System.nanoTime();
            ApplyResponse r = apply(api, List.of(c));
            long t1 = System.nanoTime();
            long t2 = programmed.awaitEverywhere(r.getLogIndex(), t1 + TimeUnit.SECONDS.toNanos(30));
            ack[i] = t1 - t0;
            ackToProgrammed[i] = Math.max(0, t2 - t1);
            total[i] = t2 - t0;
        }
        double seconds = (System.nanoTime() - meter.start) / 1e9;
        System.out.printf(Locale.ROOT, "single: one change at a time, %d changes%n", count);
        line("  submit -> ack", ack);
        line("  ack -> programmed on all nodes", ackToProgrammed);
        line("  submit -> programmed on all nodes", total);
        System.out.print(cpuByThreadGroup(meter.threads, count));
        System.out.print(programmed.report("single", nodes));
        String extra = String.format(
                Locale.ROOT,
                ",\"ack_p50_ms\":%.3f,\"ack_p99_ms\":%.3f,\"latency\":\"submit to programmed on all\"",
                ms(ack, 50),
                ms(ack, 99));
        System.out.print(meter.json("single", nodes, total, count, seconds, extra));
    }

    private static void batched(
            int nodes, BenchOptions o, io.grpc.ManagedChannel channel, Changes changes, Programmed programmed)
            throws InterruptedException {
        ControlServiceGrpc.ControlServiceFutureStub async = ControlServiceGrpc.newFutureStub(channel);
        int batches = o.batches();
        int batch = o.batch();
        Meter meter = new Meter();
        long[] batchTotal = new long[batches];
        long[] sent = new long[batches];
        long[] indexes = new long[batches];
        // at most inFlight Apply calls outstanding: the next batch is sent when one of them is acknowledged
        Semaphore window = new Semaphore(o.inFlight());
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int b = 0; b < batches; b++) {
            List<Command> cmds = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                cmds.add(changes.next());
            }
            window.acquire();
            int slot = b;
            sent[b] = System.nanoTime();
            com.google.common.util.concurrent.ListenableFuture<ApplyResponse> f = async.withDeadlineAfter(
                            60, TimeUnit.SECONDS)
                    .apply(ApplyRequest.newBuilder().addAllCommands(cmds).build());
            f.addListener(
                    () -> {
                        try {
                            indexes[slot] = f.get().getLogIndex();
                        } catch (Exception e) {
                            failed.set(e);
                        }
                        window.release();
                    },
                    Runnable::run);
        }
        window.acquire(o.inFlight());
        if (failed.get() != null) {
            throw new IllegalStateException("a batch failed", failed.get());
        }
        long lastIndex = Arrays.stream(indexes).max().orElse(0);
        long end = programmed.awaitEverywhere(lastIndex, System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
        for (int b = 0; b < batches; b++) {
            long t = programmed.awaitEverywhere(indexes[b], System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            batchTotal[b] = t - sent[b];
        }
        double n = (double) batch * batches;
        System.out.printf(
                Locale.ROOT, "batched: %d batches of %d changes, %d in flight%n", batches, batch, o.inFlight());
        line("  batch: submit -> programmed on all nodes", batchTotal);
        System.out.print(cpuByThreadGroup(meter.threads, n));
        System.out.print(programmed.report("batched", nodes));
        String extra = String.format(
                Locale.ROOT,
                ",\"batch\":%d,\"batches\":%d,\"in_flight\":%d,\"latency\":\"batch submit to programmed on all\"",
                batch,
                batches,
                o.inFlight());
        System.out.print(meter.json("batched", nodes, batchTotal, n, (end - meter.start) / 1e9, extra));
    }

    /**
     * {@code --writers} threads, each sending single-change Apply calls back to back for {@code --seconds} (writer w
     * toggles its own (VIP, real) pair, so no two writers touch the same real), while one more thread sends
     * linearizable reads ({@code GetFleetSettings}). Latency = submit → ack.
     */
    private static void concurrent(int nodes, BenchOptions o, io.grpc.ManagedChannel channel, VipKey[] vips)
            throws InterruptedException {
        ControlServiceGrpc.ControlServiceBlockingStub api = ControlServiceGrpc.newBlockingStub(channel);
        ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> reads = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        Meter meter = new Meter();
        long deadline = meter.start + TimeUnit.SECONDS.toNanos(o.seconds());
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < o.writers(); w++) {
            VipKey vip = vips[w % VIPS];
            String real = real((w / VIPS) % REALS);
            threads.add(started("bench-writer-" + w, () -> {
                int weight = 1;
                while (System.nanoTime() < deadline) {
                    weight = 3 - weight;
                    long t0 = System.nanoTime();
                    try {
                        apply(api, List.of(Commands.setWeights(vip, real + "=" + weight)));
                        acks.add(System.nanoTime() - t0);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
            }));
        }
        threads.add(started("bench-reader", () -> {
            while (System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                try {
                    api.withDeadlineAfter(30, TimeUnit.SECONDS)
                            .getFleetSettings(GetFleetSettingsRequest.getDefaultInstance());
                    reads.add(System.nanoTime() - t0);
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
            }
        }));
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - meter.start) / 1e9;
        long[] ack = acks.stream().mapToLong(Long::longValue).toArray();
        long[] read = reads.stream().mapToLong(Long::longValue).toArray();
        System.out.printf(
                Locale.ROOT,
                "concurrent: %d writers of single changes for %d s: %d acknowledged, %d failed calls%n",
                o.writers(),
                o.seconds(),
                ack.length,
                failures.get());
        line("  submit -> ack", ack);
        line("  linearizable read (GetFleetSettings)", read);
        System.out.print(cpuByThreadGroup(meter.threads, Math.max(1, ack.length)));
        String extra = String.format(
                Locale.ROOT,
                ",\"writers\":%d,\"failed_calls\":%d,\"read_p50_ms\":%.3f,\"read_p99_ms\":%.3f,"
                        + "\"latency\":\"submit to ack\"",
                o.writers(),
                failures.get(),
                ms(read, 50),
                ms(read, 99));
        System.out.print(meter.json("concurrent", nodes, ack, Math.max(1, ack.length), seconds, extra));
    }

    private static Thread started(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    /** Stops node {@code id} (its close: pins, maps and data stay) and starts it again, until ready, {@code count} times. */
    private static void restart(int nodes, int count, AgentFleet fleet, String id) throws Exception {
        long[] toReady = new long[count];
        String loadBefore = loadAverage();
        for (int i = 0; i < count; i++) {
            fleet.stop(id);
            long t0 = System.nanoTime();
            LbAgent agent = fleet.start(id);
            while (!agent.ready()) {
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException(id + " not ready 120 s after its restart");
                }
                Thread.sleep(1);
            }
            toReady[i] = System.nanoTime() - t0;
        }
        System.out.printf(Locale.ROOT, "restart: %s stopped and started %d times%n", id, count);
        line("  start -> ready", toReady);
        System.out.printf(
                Locale.ROOT,
                "{\"mode\":\"restart\",\"nodes\":%d,\"restarts\":%d,\"p50_ms\":%.1f,\"p99_ms\":%.1f,"
                        + "\"latency\":\"start to ready (servers listening, log replayed, kernel programmed)\","
                        + "\"load_avg\":\"%s-%s\"}%n",
                nodes,
                count,
                ms(toReady, 50),
                ms(toReady, 99),
                loadBefore,
                loadAverage());
    }

    /** Single changes in turn over every (VIP, real) pair, each toggling the real's weight between 1 and 2. */
    private static final class Changes {
        private final VipKey[] vips;
        private final int[][] weight = new int[VIPS][REALS];
        private int cursor;

        Changes(VipKey[] vips) {
            this.vips = vips;
            for (int[] w : weight) {
                Arrays.fill(w, 1);
            }
        }

        Command next() {
            int n = cursor++;
            int v = n % VIPS;
            int r = (n / VIPS) % REALS;
            weight[v][r] = weight[v][r] == 1 ? 2 : 1;
            return Commands.setWeights(vips[v], real(r) + "=" + weight[v][r]);
        }
    }

    /** The command line: {@code --mode single,batched,...} and each mode's sizes. */
    record BenchOptions(
            List<Integer> sizes,
            List<String> modes,
            int changes,
            int batch,
            int batches,
            int inFlight,
            int writers,
            int seconds,
            int restarts) {
        private static final List<String> MODES = List.of("single", "batched", "concurrent", "restart");
        private static final String USAGE = "use --mode single|batched|concurrent|restart[,...] --nodes 3,5"
                + " --changes N --batch N --batches N --in-flight N --writers N --seconds N --restarts N";

        static BenchOptions parse(String[] args) {
            List<Integer> sizes = List.of(3, 5);
            List<String> modes = List.of("single", "batched");
            int[] v = {1000, 100, 50, 1, 200, 10, 3};
            for (int i = 0; i < args.length; i++) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
                }
                String value = args[++i];
                switch (args[i - 1]) {
                    case "--nodes" ->
                        sizes = Arrays.stream(value.split(","))
                                .map(Integer::parseInt)
                                .toList();
                    case "--mode" -> modes = modes(value);
                    case "--changes" -> v[0] = Integer.parseInt(value);
                    case "--batch" -> v[1] = Integer.parseInt(value);
                    case "--batches" -> v[2] = Integer.parseInt(value);
                    case "--in-flight" -> v[3] = Integer.parseInt(value);
                    case "--writers" -> v[4] = Integer.parseInt(value);
                    case "--seconds" -> v[5] = Integer.parseInt(value);
                    case "--restarts" -> v[6] = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i - 1] + "; " + USAGE);
                }
            }
            return new BenchOptions(sizes, modes, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        }

        /** The modes in the order given, restart moved last (it replaces a node the other modes watch). */
        private static List<String> modes(String value) {
            List<String> out = new ArrayList<>();
            for (String m : value.split(",")) {
                if (!MODES.contains(m)) {
                    throw new IllegalArgumentException(
                            "unknown mode " + m + "; " + USAGE + " (listeners is not built yet)");
                }
                out.add(m);
            }
            if (out.remove("restart")) {
                out.add("restart");
            }
            return out;
        }
    }

    private static String real(int r) {
        return "10.211." + (r / 250) + "." + (r % 250 + 1);
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
