package io.ringfleet.chaos.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A stream of short TCP connections from one client: open, one echo round trip, close, at a steady rate,
 * over the targets in turn. Each is a new flow, so the stream shows where new flows land (per real) and
 * whether new connections keep working while LBs are drained and reals change.
 */
final class ShortConnections implements Runnable {
    private final ClientNode client;
    private final List<InetSocketAddress> targets;
    private final int periodMillis;
    private final int timeoutMillis;
    private final TrafficLedger ledger;
    private final BooleanSupplier running;

    ShortConnections(
            ClientNode client,
            List<InetSocketAddress> targets,
            int perSecond,
            int timeoutMillis,
            TrafficLedger ledger,
            BooleanSupplier running) {
        this.client = client;
        this.targets = List.copyOf(targets);
        this.periodMillis = Math.max(1, 1000 / perSecond);
        this.timeoutMillis = timeoutMillis;
        this.ledger = ledger;
        this.running = running;
    }

    @Override
    public void run() {
        long n = 0;
        while (running.getAsBoolean()) {
            long t0 = System.nanoTime();
            InetSocketAddress target = targets.get((int) (n % targets.size()));
            String sent = "short#" + (++n) + " cl" + client.number();
            try (SocketChannel ch = SocketChannel.open()) {
                ch.socket().connect(target, timeoutMillis);
                ch.socket().setSoTimeout(timeoutMillis);
                ch.socket().getOutputStream().write((sent + "\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(ch.socket().getInputStream(), StandardCharsets.US_ASCII));
                String reply = in.readLine();
                int space = reply == null ? -1 : reply.indexOf(' ');
                if (space > 0 && reply.substring(space + 1).equals(sent)) {
                    ledger.shortOk(reply.substring(0, space));
                } else if (running.getAsBoolean()) {
                    ledger.shortFailed(sent + " to " + Traffic.text(target) + ": answer '" + reply + "'");
                }
            } catch (IOException e) {
                if (running.getAsBoolean()) {
                    ledger.shortFailed(sent + " to " + Traffic.text(target) + ": " + e);
                }
            }
            TcpFlow.pause(Math.max(1, periodMillis - (int) ((System.nanoTime() - t0) / 1_000_000)));
        }
    }
}
