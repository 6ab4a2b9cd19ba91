package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.vip;

import io.ringfleet.api.Command;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What one incremental programming run costs as the fleet grows: a {@link MapProgrammer} on balancer maps it
 * creates (root; nothing attached or pinned), programmed with N VIPs of M reals each (reals drawn from a pool of
 * 4,000 addresses), then, for each N of {@code --vips}:
 * <ul>
 *   <li>{@code no ring}: a health-check destination changes (no ring is rebuilt): the run's own overhead;
 *   <li>{@code one weight}: one member of one VIP changes weight (that VIP's ring is rebuilt, its changed slots
 *       read and written).
 * </ul>
 * Per figure the median and p90 of {@code --runs} runs of the programming call, wall time and the calling
 * thread's CPU time, in milliseconds. Not a test: a main, run as root with the lb-agent test classpath
 * ({@code scripts/bench-mapprog.sh} builds one; see BENCHMARKS.md, "Change to programmed").
 */
public final class IncrementalRunBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private IncrementalRunBench() {}

    public static void main(String[] args) {
        int[] vipCounts = {8, 64};
        int realsPerVip = 100;
        int runs = 200;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vips" ->
                    vipCounts = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--reals" -> realsPerVip = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException("usage: [--vips 8,64] [--reals M] [--runs R], got " + args[i]);
            }
        }
        System.out.printf(
                Locale.ROOT, "incremental run bench: %d reals per VIP, %d runs per figure (ms)%n", realsPerVip, runs);
        for (int vips : vipCounts) {
            run(vips, realsPerVip, runs);
        }
    }

    private static void run(int vips, int realsPerVip, int runs) {
        CommandLog log = new CommandLog();
        List<Command> setup = new ArrayList<>();
        VipKey[] keys = new VipKey[vips];
        for (int v = 0; v < vips; v++) {
            keys[v] = vip("10.1." + (v / 250) + "." + (v % 250 + 1), 80, TCP);
            setup.add(addVip(keys[v]));
            String[] reals = new String[realsPerVip];
            for (int j = 0; j < realsPerVip; j++) {
                reals[j] = real((v * 37 + j * 11) % 4000) + "=1";
            }
            setup.add(addReals(keys[v], reals));
        }
        setup.add(Commands.setHealthCheck(1, "10.3.0.1"));
        FleetImage image = log.apply(setup.toArray(Command[]::new));
        DatapathConfig config =
                DatapathConfig.builder().maxVips(vips).fallbackConnTableOnly().build();
        try (BalancerDatapath datapath = BalancerDatapath.open(config)) {
            MapProgrammer programmer = MapProgrammer.builder(datapath).build();
            programmer.program(image);
            int[] turn = {0};
            figure(vips, realsPerVip, "no ring (health-check destination)", runs, () -> {
                turn[0]++;
                return programmer.program(log.apply(Commands.setHealthCheck(1, "10.3.0." + (1 + turn[0] % 2))));
            });
            int[] weight = new int[vips];
            Arrays.fill(weight, 1);
            figure(vips, realsPerVip, "one weight (1 ring rebuilt)", runs, () -> {
                int v = turn[0]++ % vips;
                weight[v] = 3 - weight[v];
                String member = real((v * 37) % 4000);
                return programmer.program(log.apply(Commands.setWeights(keys[v], member + "=" + weight[v])));
            });
        }
    }

    private static String real(int r) {
        return "10.0." + (r / 250) + "." + (r % 250 + 1);
    }

    private static void figure(int vips, int reals, String what, int runs, Supplier<ProgramReport> run) {
        for (int i = 0; i < Math.min(50, runs); i++) {
            run.get(); // warm-up
        }
        long[] wall = new long[runs];
        long[] cpu = new long[runs];
        for (int i = 0; i < runs; i++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            ProgramReport report = run.get();
            wall[i] = System.nanoTime() - t0;
            cpu[i] = THREADS.getCurrentThreadCpuTime() - c0;
            if (report.full() || report.totalWritten() == 0) {
                throw new IllegalStateException("expected an incremental run that writes something, got " + report);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%3d VIPs x %d reals, %-36s wall p50 %7.3f p90 %7.3f | CPU p50 %7.3f p90 %7.3f%n",
                vips,
                reals,
                what,
                pct(wall, 50),
                pct(wall, 90),
                pct(cpu, 50),
                pct(cpu, 90));
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
    }
}
