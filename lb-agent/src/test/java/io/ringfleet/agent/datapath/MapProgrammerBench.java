package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.vip;

import io.ringfleet.api.Command;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Timing of the map programmer's full comparison of ring rows with the kernel (first run, resync, vip_num reuse).
 * Not a unit test (nothing asserts a time): a main, run by {@code scripts/bench-mapprog.sh} as root. Prints one
 * line per figure, each the median of {@code --runs} runs, in milliseconds.
 *
 * <ul>
 *   <li>{@code read one row}: {@link MapIo#readRow} of one 65,537-slot row; and the two ways to read it through
 *       {@link BpfMap}: one lookup per slot, or one {@link BpfMap#lookupRangeU32};
 *   <li>{@code resync 1 row} / {@code resync N rows}: {@link MapProgrammer#resync} of an image with 1 / N VIPs that
 *       the kernel already holds (everything read and compared, nothing written);
 *   <li>{@code add a real to 1 VIP} / {@code remove it again}: {@link MapProgrammer#program} of the next image
 *       (only the changed slots of one row read and written);
 *   <li>{@code first run N rows}: a new programmer's first run of the N-VIP image on freshly created maps (all rows
 *       read, every slot written), and of that the step writing the ring slots (one BPF_MAP_UPDATE_BATCH).
 * </ul>
 */
public final class MapProgrammerBench {
    private MapProgrammerBench() {}

    public static void main(String[] args) {
        int vips = 64;
        int runs = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vips" -> vips = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: [--vips N] [--runs R], got " + args[i]);
            }
        }
        List<Command> first = new ArrayList<>();
        List<Command> rest = new ArrayList<>();
        for (int v = 0; v < vips; v++) {
            VipKey key = vip("10.1." + (v / 250) + "." + (v % 250 + 1), 80, TCP);
            String[] reals = new String[10];
            for (int j = 0; j < reals.length; j++) {
                int r = (v * 7 + j) % 100;
                reals[j] = "10.0." + (r / 250) + "." + (r % 250 + 1) + "=" + (1 + j % 3);
            }
            List<Command> into = v == 0 ? first : rest;
            into.add(addVip(key));
            into.add(addReals(key, reals));
        }
        CommandLog log = new CommandLog();
        FleetImage oneVip = log.apply(first.toArray(Command[]::new));
        FleetImage allVips = vips > 1 ? log.apply(rest.toArray(Command[]::new)) : oneVip;
        DatapathConfig config =
                DatapathConfig.builder().maxVips(vips).fallbackConnTableOnly().build();

        System.out.printf(
                "map programmer bench: %d VIPs, ring %d slots, median of %d runs (ms)%n",
                vips, DatapathConfig.RING_SIZE, runs);
        try (BalancerDatapath datapath = BalancerDatapath.open(config)) {
            MapProgrammer programmer = MapProgrammer.builder(datapath).build();
            programmer.program(oneVip);
            MapIo io = new MapIo(datapath);
            io.readRow(0); // warm-up
            report("read one row", median(runs, () -> io.readRow(0)));
            BpfMap ringMap = datapath.map(Table.RINGS);
            report("  bpf: 65,537 single lookups", median(runs, () -> {
                for (int i = 0; i < DatapathConfig.RING_SIZE; i++) {
                    ringMap.lookup(BpfMap.u32(i));
                }
            }));
            report(
                    "  bpf: lookupRangeU32 of 65,537",
                    median(runs, () -> ringMap.lookupRangeU32(0, DatapathConfig.RING_SIZE)));
            report("resync 1 row", median(runs, () -> expectNoWrites(programmer.resync(oneVip))));
            programmer.program(allVips);
            report("resync " + vips + " rows", median(runs, () -> expectNoWrites(programmer.resync(allVips))));

            // Incremental runs: a real of weight 5 joins VIP 0 (about a fifth of its slots change), then leaves.
            VipKey vip0 = vip("10.1.0.1", 80, TCP);
            long[] adds = new long[runs];
            long[] removes = new long[runs];
            int[] slots = new int[2];
            for (int r = -1; r < runs; r++) { // run -1: warm-up, not counted
                FleetImage added = log.apply(addReals(vip0, "10.0.9.9=5"));
                long t0 = System.nanoTime();
                slots[0] = programmer.program(added).written(Table.RINGS);
                long add = System.nanoTime() - t0;
                FleetImage removed = log.apply(Commands.removeReals(vip0, "10.0.9.9"));
                t0 = System.nanoTime();
                slots[1] = programmer.program(removed).written(Table.RINGS);
                if (r >= 0) {
                    adds[r] = add;
                    removes[r] = System.nanoTime() - t0;
                }
            }
            report("add a real to 1 VIP (" + slots[0] + " slots)", adds);
            report("remove it again (" + slots[1] + " slots)", removes);
        }
        long[] firstRuns = new long[runs];
        long[] ringSteps = new long[runs];
        for (int r = 0; r < runs; r++) {
            try (BalancerDatapath datapath = BalancerDatapath.open(config)) {
                long[] stepEnd = new long[2]; // end of the step before "write ring slots", end of that step
                MapProgrammer programmer = MapProgrammer.builder(datapath)
                        .stepListener((step, map, puts, deletes) -> {
                            if (step.equals("write ring slots")) {
                                stepEnd[1] = System.nanoTime();
                            } else if (stepEnd[1] == 0) {
                                stepEnd[0] = System.nanoTime();
                            }
                        })
                        .build();
                long t0 = System.nanoTime();
                ProgramReport report = programmer.program(allVips);
                firstRuns[r] = System.nanoTime() - t0;
                ringSteps[r] = stepEnd[1] - stepEnd[0];
                if (report.written(Table.RINGS) < vips * (DatapathConfig.RING_SIZE - 1000)) {
                    throw new IllegalStateException("first run wrote only " + report.written(Table.RINGS) + " slots");
                }
            }
        }
        report("first run " + vips + " rows (read + write)", firstRuns);
        report("  of which the ring-slot write step", ringSteps);
    }

    private static void expectNoWrites(ProgramReport report) {
        if (report.totalWritten() != 0) {
            throw new IllegalStateException("a resync of a programmed image wrote " + report);
        }
    }

    private static long[] median(int runs, Runnable body) {
        long[] t = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            body.run();
            t[r] = System.nanoTime() - t0;
        }
        return t;
    }

    private static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(
                "%-36s median %9.1f  min %9.1f  max %9.1f%n",
                what, s[s.length / 2] / 1e6, s[0] / 1e6, s[s.length - 1] / 1e6);
    }
}
