package io.ringfleet.chaos.sim;

/**
 * The long soak: {@code ChaosMain --seeds N --from SEED [--parallel P] [--minutes M] [--verbose]} runs schedules
 * SEED .. SEED+N-1 and prints {@code chaos: N schedules, V violations} last; the exit code is 1 if any schedule
 * violated an invariant. {@code scripts/chaos.sh} runs it with the test classpath.
 */
public final class ChaosMain {
    private ChaosMain() {}

    public static void main(String[] args) throws Exception {
        Quiet.ratisLogs();
        long from = 1;
        int seeds = 1000;
        int parallel = 6;
        long minutes = 0;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds" -> seeds = Integer.parseInt(value(args, ++i, "--seeds"));
                case "--from" -> from = Long.parseLong(value(args, ++i, "--from"));
                case "--parallel" -> parallel = Integer.parseInt(value(args, ++i, "--parallel"));
                case "--minutes" -> minutes = Long.parseLong(value(args, ++i, "--minutes"));
                case "--verbose" -> verbose = true;
                case "-h", "--help" -> {
                    System.out.println(
                            "usage: chaos.sh [--seeds N (default 1000)] [--from SEED (default 1)] "
                                    + "[--parallel P clusters at a time, 1..8 (default 6)] [--minutes M time budget (default none)] [--verbose]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (try --help)");
            }
        }
        ChaosRunner.Summary s = new ChaosRunner(from, seeds, parallel, minutes * 60_000, System.out, verbose).run();
        ChaosRunner.print(s, from, seeds, System.out);
        System.exit(s.violating() == 0 ? 0 : 1);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
