package io.ringfleet.chaos.netns;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Client traffic through the fleet, from the topology's client namespaces to its VIPs: long-lived TCP
 * connections doing an echo round trip every interval ({@link TcpFlow}), UDP flows ({@link UdpFlow}) and
 * a stream of short TCP connections ({@link ShortConnections}). Flows are spread over the clients and
 * over the IPv4 and IPv6 VIP. Read the figures with {@link #snapshot()}; {@link #close()} stops every flow
 * cleanly (a stopped flow is not a broken one).
 */
public final class Traffic implements AutoCloseable {
    private final TrafficLedger ledger = new TrafficLedger();
    private final List<Thread> threads = new ArrayList<>();
    private final int timeoutMillis;
    private volatile boolean running = true;

    private Traffic(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How much traffic. */
    public static final class Builder {
        private int longLived = 20;
        private int udpFlows = 4;
        private int shortPerSecond = 10;
        private int intervalMillis = 50;
        private int timeoutMillis = 3000;
        private boolean ipv6 = true;

        private Builder() {}

        /** Long-lived TCP connections kept open, 0..1000; default 20. */
        public Builder longLived(int n) {
            this.longLived = check("longLived", n, 0, 1000);
            return this;
        }

        /** UDP flows, 0..100; default 4. */
        public Builder udpFlows(int n) {
            this.udpFlows = check("udpFlows", n, 0, 100);
            return this;
        }

        /** Short TCP connections per second, 0..200; default 10. */
        public Builder shortPerSecond(int n) {
            this.shortPerSecond = check("shortPerSecond", n, 0, 200);
            return this;
        }

        /** Time between two round trips of a long-lived flow, 10..10000 ms; default 50. */
        public Builder intervalMillis(int ms) {
            this.intervalMillis = check("intervalMillis", ms, 10, 10_000);
            return this;
        }

        /** How long an answer may take before the flow counts as broken, 100..60000 ms; default 3000. */
        public Builder timeoutMillis(int ms) {
            this.timeoutMillis = check("timeoutMillis", ms, 100, 60_000);
            return this;
        }

        /** Whether half the flows go to the IPv6 VIP; default true. */
        public Builder ipv6(boolean on) {
            this.ipv6 = on;
            return this;
        }

        /** Starts the flows (registered for teardown with the topology). */
        public Traffic start(Topology topology) {
            Objects.requireNonNull(topology, "topology");
            Traffic t = new Traffic(timeoutMillis);
            topology.onTeardown(t);
            List<ClientNode> clients = topology.clients();
            List<InetSocketAddress> targets = new ArrayList<>();
            targets.add(new InetSocketAddress(topology.vip4(), topology.echoPort()));
            if (ipv6) {
                targets.add(new InetSocketAddress(topology.vip6(), topology.echoPort()));
            }
            for (int i = 0; i < longLived; i++) {
                ClientNode c = clients.get(i % clients.size());
                t.spawn(
                        "tcp-" + i,
                        c,
                        new TcpFlow(new FlowSettings(
                                c,
                                targets.get(i % targets.size()),
                                intervalMillis,
                                timeoutMillis,
                                t.ledger,
                                t::running)));
            }
            for (int i = 0; i < udpFlows; i++) {
                ClientNode c = clients.get(i % clients.size());
                t.spawn(
                        "udp-" + i,
                        c,
                        new UdpFlow(new FlowSettings(
                                c,
                                targets.get(i % targets.size()),
                                intervalMillis,
                                Math.min(timeoutMillis, 1000),
                                t.ledger,
                                t::running)));
            }
            if (shortPerSecond > 0) {
                for (ClientNode c : clients) {
                    int rate = Math.max(1, shortPerSecond / clients.size());
                    t.spawn(
                            "short-cl" + c.number(),
                            c,
                            new ShortConnections(c, targets, rate, timeoutMillis, t.ledger, t::running));
                }
            }
            return t;
        }

        private static int check(String what, int n, int min, int max) {
            if (n < min || n > max) {
                throw new IllegalArgumentException(what + " must be " + min + ".." + max + ", got " + n);
            }
            return n;
        }
    }

    private void spawn(String name, ClientNode client, Runnable flow) {
        Thread t = new Thread(() -> client.ns().run(flow), "traffic-" + name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private boolean running() {
        return running;
    }

    public TrafficSnapshot snapshot() {
        return ledger.snapshot();
    }

    /** The long-lived TCP flows open now. */
    public List<OpenFlow> openFlows() {
        return ledger.openFlows();
    }

    /** Why connections failed to open (the first 20 reasons). */
    public List<String> failures() {
        return ledger.failures();
    }

    /**
     * Waits until at least n long-lived TCP connections are open (each has had its first answer).
     *
     * @return whether they were, within timeoutMillis
     */
    public boolean awaitLongOpen(int n, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (ledger.snapshot().longOpen() >= n) {
                return true;
            }
            TcpFlow.pause(20);
        }
        return false;
    }

    /** From now on, flows of real that break count as expected (the real was taken out of the VIP). */
    public void realRemoved(String real) {
        ledger.realRemoved(real);
    }

    /** From now on, flows of real that break count as unexpected again. */
    public void realRestored(String real) {
        ledger.realRestored(real);
    }

    /** Stops every flow and waits for them (at most the answer timeout plus a second). */
    @Override
    public void close() {
        running = false;
        long deadline = System.currentTimeMillis() + timeoutMillis + 1000;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static String text(InetSocketAddress a) {
        String host = Addresses.text(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public String toString() {
        return "Traffic[" + threads.size() + " flows]";
    }
}
