package io.ringfleet.chaos.netns;

import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;

/**
 * What a long-lived flow ({@link TcpFlow}, {@link UdpFlow}) runs with: the client whose namespace it runs in, the
 * VIP it talks to, its pace, the ledger it reports to and the switch that stops it.
 */
record FlowSettings(
        ClientNode client,
        InetSocketAddress target,
        int intervalMillis,
        int timeoutMillis,
        TrafficLedger ledger,
        BooleanSupplier keepRunning) {

    /** Whether the traffic still runs. */
    boolean running() {
        return keepRunning.getAsBoolean();
    }

    /** The flow's name in the ledger, e.g. {@code tcp#3 cl1 -> 10.0.0.10:7}. */
    String flowName(String kind, int id) {
        return kind + "#" + id + " cl" + client.number() + " -> " + Traffic.text(target);
    }

    /** Sleeps for what is left of the interval that began at {@code t0} (System.nanoTime), at least 1 ms. */
    void pauseRestOfInterval(long t0) {
        TcpFlow.pause(Math.max(1, intervalMillis - (int) ((System.nanoTime() - t0) / 1_000_000)));
    }
}
