package io.ringfleet.chaos.demo;

/**
 * What the demo runs.
 *
 * @param lbs LB nodes (the drained one must exist)
 * @param backends backends (reals)
 * @param clients client namespaces
 * @param longLived long-lived TCP connections
 * @param udpFlows UDP flows
 * @param shortPerSecond short TCP connections per second
 * @param phaseMillis how long traffic runs in each phase
 * @param drainLb the LB number to canary-drain
 * @param realChurn whether the drain's log entry also sets one real of the TCP VIPs to weight 0 (restored after the
 *     undrain): a ring change while the drained LB's flows move, which second chance must survive ({@code --no-churn}
 *     turns it off)
 */
public record DemoOptions(
        int lbs,
        int backends,
        int clients,
        int longLived,
        int udpFlows,
        int shortPerSecond,
        int phaseMillis,
        int drainLb,
        boolean realChurn) {
    public DemoOptions {
        check("lbs", lbs, 2, 9);
        check("backends", backends, 2, 99);
        check("clients", clients, 1, 50);
        check("longLived", longLived, 1, 1000);
        check("udpFlows", udpFlows, 0, 100);
        check("shortPerSecond", shortPerSecond, 0, 200);
        check("phaseMillis", phaseMillis, 500, 600_000);
        check("drainLb", drainLb, 1, lbs);
    }

    /** The full demo: 3 LBs, 3 backends, 2 clients, 48 long-lived, 6 UDP flows, 20 short/s, 5 s phases. */
    public static DemoOptions full() {
        return new DemoOptions(3, 3, 2, 48, 6, 20, 5000, 2, true);
    }

    /** The short version the test runs: 20 long-lived connections, one drain with its ring change, 2 s phases. */
    public static DemoOptions quick() {
        return new DemoOptions(3, 3, 1, 20, 4, 10, 2000, 2, true);
    }

    /**
     * The full demo with changes from command-line arguments: {@code --quick}, {@code --long N},
     * {@code --udp N}, {@code --short N} (per second), {@code --clients N}, {@code --backends N},
     * {@code --phase-seconds S}, {@code --no-churn}.
     */
    public static DemoOptions parse(String[] args) {
        DemoOptions o = full();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> o = quick();
                case "--no-churn" ->
                    o = new DemoOptions(
                            o.lbs,
                            o.backends,
                            o.clients,
                            o.longLived,
                            o.udpFlows,
                            o.shortPerSecond,
                            o.phaseMillis,
                            o.drainLb,
                            false);
                case "--long", "--udp", "--short", "--clients", "--backends", "--phase-seconds" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a number");
                    }
                    int n = number(a, args[++i]);
                    o = switch (a) {
                        case "--long" ->
                            new DemoOptions(
                                    o.lbs,
                                    o.backends,
                                    o.clients,
                                    n,
                                    o.udpFlows,
                                    o.shortPerSecond,
                                    o.phaseMillis,
                                    o.drainLb,
                                    o.realChurn);
                        case "--udp" ->
                            new DemoOptions(
                                    o.lbs,
                                    o.backends,
                                    o.clients,
                                    o.longLived,
                                    n,
                                    o.shortPerSecond,
                                    o.phaseMillis,
                                    o.drainLb,
                                    o.realChurn);
                        case "--short" ->
                            new DemoOptions(
                                    o.lbs,
                                    o.backends,
                                    o.clients,
                                    o.longLived,
                                    o.udpFlows,
                                    n,
                                    o.phaseMillis,
                                    o.drainLb,
                                    o.realChurn);
                        case "--clients" ->
                            new DemoOptions(
                                    o.lbs,
                                    o.backends,
                                    n,
                                    o.longLived,
                                    o.udpFlows,
                                    o.shortPerSecond,
                                    o.phaseMillis,
                                    o.drainLb,
                                    o.realChurn);
                        case "--backends" ->
                            new DemoOptions(
                                    o.lbs,
                                    n,
                                    o.clients,
                                    o.longLived,
                                    o.udpFlows,
                                    o.shortPerSecond,
                                    o.phaseMillis,
                                    o.drainLb,
                                    o.realChurn);
                        default ->
                            new DemoOptions(
                                    o.lbs,
                                    o.backends,
                                    o.clients,
                                    o.longLived,
                                    o.udpFlows,
                                    o.shortPerSecond,
                                    n * 1000,
                                    o.drainLb,
                                    o.realChurn);
                    };
                }
                default ->
                    throw new IllegalArgumentException("unknown argument '" + a + "'; allowed: --quick, "
                            + "--long N, --udp N, --short N, --clients N, --backends N, --phase-seconds S, --no-churn");
            }
        }
        return o;
    }

    private static int number(String option, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + text + "'", e);
        }
    }

    private static void check(String what, int n, int min, int max) {
        if (n < min || n > max) {
            throw new IllegalArgumentException(what + " must be " + min + ".." + max + ", got " + n);
        }
    }
}
