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

/**
 * One long-lived TCP flow slot: a connection to the VIP that does an echo round trip every interval and
 * checks that its own bytes come back, from the same real every time. A reset, a timeout, an early end of
 * stream or other bytes break it; the slot then records it and opens a new connection (a new flow). Runs
 * on a thread inside the client's namespace until told to stop; stopping closes the connection cleanly.
 */
final class TcpFlow implements Runnable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final FlowSettings settings;

    TcpFlow(FlowSettings settings) {
        this.settings = settings;
    }

    @Override
    public void run() {
        while (settings.running()) {
            String flow = settings.flowName("tcp", IDS.incrementAndGet());
            try (SocketChannel ch = SocketChannel.open()) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(settings.target(), settings.timeoutMillis());
                ch.socket().setSoTimeout(settings.timeoutMillis());
                rounds(flow, ch);
            } catch (IOException e) {
                if (settings.running()) {
                    settings.ledger().connectFailed(flow + " connect: " + e);
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
            settings.ledger().connectFailed(flow + ": " + e);
            return;
        }
        String real = null;
        long seq = 0;
        try {
            while (settings.running()) {
                String sent = flow.substring(0, flow.indexOf(' ')) + " " + (++seq);
                long t0 = System.nanoTime();
                out.write((sent + "\n").getBytes(StandardCharsets.US_ASCII));
                String reply;
                try {
                    reply = readLine(in);
                } catch (SocketTimeoutException e) {
                    if (!settings.running()) {
                        return;
                    }
                    throw new IOException("no answer within " + settings.timeoutMillis() + " ms", e);
                }
                int space = reply.indexOf(' ');
                String from = space < 0 ? "?" : reply.substring(0, space);
                String echoed = space < 0 ? reply : reply.substring(space + 1);
                if (!echoed.equals(sent)) {
                    throw new IOException("sent '" + sent + "', got back '" + echoed + "' from " + from);
                }
                if (real == null) {
                    real = from;
                    settings.ledger()
                            .longOpened(new OpenFlow(
                                    flow, real, (InetSocketAddress) ch.getLocalAddress(), settings.target()));
                } else if (!real.equals(from)) {
                    throw new IOException("answered by " + from + " instead of " + real);
                }
                settings.ledger().roundTrip(System.nanoTime() - t0);
                settings.pauseRestOfInterval(t0);
            }
        } catch (IOException e) {
            if (settings.running()) {
                if (real == null) {
                    settings.ledger().connectFailed(flow + " first round trip: " + e.getMessage());
                } else {
                    settings.ledger().broken(flow, real, reason(e));
                }
            }
        } finally {
            if (real != null) {
                settings.ledger().longClosed(flow);
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
