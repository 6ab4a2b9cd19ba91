package io.ringfleet.chaos.demo;

/**
 * The {@code demo} main job ({@code sudo scripts/demo.sh}): a Ringfleet fleet in network namespaces, one
 * lb-agent process per LB with the second-chance XDP balancer, real TCP/UDP traffic; an LB drained with a ring change
 * in the drain's log entry, an agent killed with SIGKILL and restarted, an LB host failed and returned, all under load;
 * every LB's kernel maps checked. Ends with {@code demo: broken connections N, ring digests equal on K/M nodes}. Exit status 0 when nothing broke and every digest is equal, 1 otherwise, 2 when the demo
 * could not run. Arguments: see {@link DemoOptions#parse}. Needs root.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("Ringfleet demo: " + options.lbs() + " LBs, " + options.backends() + " backends, "
                + options.longLived() + " long-lived TCP connections, " + options.udpFlows() + " UDP flows, "
                + options.shortPerSecond() + " short connections/s (Ctrl-C tears everything down)");
        DemoResult result;
        try {
            result = DemoRun.run(options, System.out);
        } catch (RuntimeException e) {
            System.out.flush();
            System.err.println();
            System.err.println("demo: failed: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println();
        System.out.println(result.summary());
        System.exit(result.ok() ? 0 : 1);
    }
}
