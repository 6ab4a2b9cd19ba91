package io.ringfleet.chaos.netns;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One long-lived TCP flow slot: a connection to the VIP that does an echo round trip every interval and
 * checks that its own bytes come back, from the same real every time. A reset, a timeout, an early end of
 * stream or other bytes break it; the slot then records it and opens a new connection (a new flow). Runs
 * on a thread inside the client's namespace until told to stop; stopping closes the connection cleanly.
 */
final class TcpFlow implements Runnable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final ClientNode client;
    private final InetSocketAddress target;
    private final int intervalMillis;
    private final int timeoutMillis;
    private final TrafficLedger ledger;
    private final BooleanSupplier running;

    TcpFlow(
            ClientNode client,
            InetSocketAddress target,
            int intervalMillis,
            int timeoutMillis,
            TrafficLedger ledger,
            BooleanSupplier running) {
        this.client = client;
        this.target = target;
        this.intervalMillis = intervalMillis;
        this.timeoutMillis = timeoutMillis;
        this.ledger = ledger;
        this.running = running;
    }

    @Override
    public void run() {
        while (running.getAsBoolean()) {
            String flow = "tcp#" + IDS.incrementAndGet() + " cl" + client.number() + " -> " + Traffic.text(target);
            try (SocketChannel ch = SocketChannel.open()) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(target, timeoutMillis);
                ch.socket().setSoTimeout(timeoutMillis);
                rounds(flow, ch);
            } catch (IOException e) {
                if (running.getAsBoolean()) {
                    ledger.connectFailed(flow + " connect: " + e);
                }
            }
            pause(200);
        }
    }

    /** Round trips until the traffic stops (returns) or the connection breaks (recorded, returns). */
    private void rounds(String flow, SocketChannel ch) {
        InputStream in;
        OutputStream out;
        try {
            in = new BufferedInputStream(ch.socket().getInputStream());
            out = ch.socket().getOutputStream();
        } catch (IOException e) {
            ledger.connectFailed(flow + ": " + e);
            return;
        }
        String real = null;
        long seq = 0;
        try {
            while (running.getAsBoolean()) {
                String sent = flow.substring(0, flow.indexOf(' ')) + " " + (++seq);
                long t0 = System.nanoTime();
                out.write((sent + "\n").getBytes(StandardCharsets.US_ASCII));
                String reply;
                try {
                    reply = readLine(in);
                } catch (SocketTimeoutException e) {
                    if (!running.getAsBoolean()) {
                        return;
                    }
                    throw new IOException("no answer within " + timeoutMillis + " ms", e);
                }
                int space = reply.indexOf(' ');
                String from = space < 0 ? "?" : reply.substring(0, space);
                String echoed = space < 0 ? reply : reply.substring(space + 1);
                if (!echoed.equals(sent)) {
                    throw new IOException("sent '" + sent + "', got back '" + echoed + "' from " + from);
                }
                if (real == null) {
                    real = from;
                    ledger.longOpened(new OpenFlow(flow, real, (InetSocketAddress) ch.getLocalAddress(), target));
                } else if (!real.equals(from)) {
                    throw new IOException("answered by " + from + " instead of " + real);
                }
                ledger.roundTrip(System.nanoTime() - t0);
                pause(Math.max(1, intervalMillis - (int) ((System.nanoTime() - t0) / 1_000_000)));
            }
        } catch (IOException e) {
            if (running.getAsBoolean()) {
                if (real == null) {
                    ledger.connectFailed(flow + " first round trip: " + e.getMessage());
                } else {
                    ledger.broken(flow, real, reason(e));
                }
            }
        } finally {
            if (real != null) {
                ledger.longClosed(flow);
            }
        }
    }

    private static String reason(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof EOFException) {
            return "closed by the far end";
        }
        if (m.contains("reset")) {
            return "reset";
        }
        return m;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream after '" + sb + "'");
            }
            if (b == '\n') {
                return sb.toString();
            }
            if (sb.length() > EchoServer.MAX_LINE) {
                throw new IOException("answer longer than " + EchoServer.MAX_LINE + " bytes");
            }
            sb.append((char) b);
        }
    }

    static void pause(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
