package io.ringfleet.chaos.sim;

import io.ringfleet.chaos.sim.Simulation.Outcome;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs schedules {@code from, from+1, ...} on a few clusters at a time (each schedule has its own fresh
 * cluster; running side by side changes timings, never which faults and writes a seed decides), within a
 * count and an optional time budget, and prints one line per schedule that violated an invariant (with its
 * reproduction) and the summary line {@code chaos: N schedules, V violations}.
 */
final class ChaosRunner {
    /** What a run gave. */
    record Summary(
            int schedules,
            int violating,
            List<Long> failingSeeds,
            Simulation.Stats stats,
            long millis,
            boolean budgetHit) {
        String line() {
            return "chaos: " + schedules + " schedules, " + violating + " violations";
        }

        double perMinute() {
            return millis == 0 ? 0 : schedules * 60_000.0 / millis;
        }
    }

    private final long from;
    private final int count;
    private final int parallel;
    private final long budgetMs;
    private final PrintStream out;
    private final boolean verbose;

    /**
     * @param from the first seed
     * @param count how many schedules (seeds from, from+1, ...)
     * @param parallel clusters at a time, 1..8
     * @param budgetMs stop starting schedules after this long (0: no limit); the summary says how many ran
     */
    ChaosRunner(long from, int count, int parallel, long budgetMs, PrintStream out, boolean verbose) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (parallel < 1 || parallel > 8) {
            throw new IllegalArgumentException("parallel must be 1..8, got " + parallel);
        }
        if (budgetMs < 0) {
            throw new IllegalArgumentException("budgetMs must be >= 0, got " + budgetMs);
        }
        this.from = from;
        this.count = count;
        this.parallel = parallel;
        this.budgetMs = budgetMs;
        this.out = out;
        this.verbose = verbose;
    }

    Summary run() throws InterruptedException {
        Quiet.ratisLogs();
        long start = System.nanoTime();
        long deadline = budgetMs == 0 ? Long.MAX_VALUE : start + budgetMs * 1_000_000;
        AtomicLong next = new AtomicLong(from);
        long end = from + count;
        List<Outcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "sim-runner");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < parallel; w++) {
            workers.add(pool.submit(() -> {
                // Each worker runs its schedules one after the other; a schedule's cluster shuts down in the
                // background while the next one runs (at most one such shutdown per worker).
                CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
                while (true) {
                    long seed = next.getAndIncrement();
                    if (seed >= end || System.nanoTime() > deadline) {
                        previous.join();
                        return;
                    }
                    CompletableFuture<Simulation.Outcome> outcome = Simulation.start(seed);
                    previous.join();
                    previous = outcome.thenAccept(o -> record(o, outcomes));
                }
            }));
        }
        for (Future<?> f : workers) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a runner thread failed", e.getCause());
            }
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        Simulation.Stats total = new Simulation.Stats();
        List<Long> failing = new ArrayList<>();
        for (Outcome o : outcomes) {
            total.add(o.stats());
            if (!o.ok()) {
                failing.add(o.schedule().seed());
            }
        }
        failing.sort(null);
        boolean budgetHit = outcomes.size() < count;
        return new Summary(outcomes.size(), failing.size(), failing, total, millis, budgetHit);
    }

    private void record(Outcome o, List<Outcome> outcomes) {
        synchronized (outcomes) {
            outcomes.add(o);
            if (!o.ok()) {
                out.println(o.report());
            }
            o.trace().stream()
                    .filter(t -> t.startsWith("observation: "))
                    .forEach(t -> out.println("chaos: seed=" + o.schedule().seed() + " " + t));
            if (o.ok() && verbose) {
                out.printf(
                        "seed=%d ok: %d steps, %d ms, %s%n",
                        o.schedule().seed(), o.schedule().steps().size(), o.millis(), o.stats());
                if (Boolean.getBoolean("chaos.trace")) {
                    o.trace().forEach(t -> out.println("  " + t));
                }
            }
            out.flush();
        }
    }

    /** Prints the details and the summary line (last). */
    static void print(Summary s, long from, int count, PrintStream out) {
        out.printf(
                "chaos: seeds %d..%d, %d schedules in %.1f s (%.0f schedules/minute)%s%n",
                from,
                from + s.schedules() - 1,
                s.schedules(),
                s.millis() / 1000.0,
                s.perMinute(),
                s.budgetHit() ? "; time budget reached after " + s.schedules() + " of " + count + " schedules" : "");
        out.println("chaos: exercised " + s.stats());
        if (!s.failingSeeds().isEmpty()) {
            out.println("chaos: failing seeds " + s.failingSeeds() + " (add them to SimulationRegressionTest)");
        }
        out.println(s.line());
        out.flush();
    }
}
