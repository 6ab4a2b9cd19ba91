package io.ringfleet.chaos.netns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One UDP flow: a connected datagram socket (one 5-tuple) that sends a numbered request every interval and
 * expects the answer to name the same real every time. An answer from another real breaks the flow (UDP
 * has no connection to reset, so this is how a moved flow shows); three requests in a row without an answer
 * break it too. A broken UDP flow goes on with the real it now reaches.
 */
final class UdpFlow implements Runnable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final int LOST_IN_A_ROW_BREAKS = 3;

    private final FlowSettings settings;

    UdpFlow(FlowSettings settings) {
        this.settings = settings;
    }

    @Override
    public void run() {
        int id = IDS.incrementAndGet();
        String flow = settings.flowName("udp", id);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(settings.target());
            ch.socket().setSoTimeout(settings.timeoutMillis());
            String real = null;
            int lostInARow = 0;
            long seq = 0;
            byte[] buf = new byte[2048];
            while (settings.running()) {
                long t0 = System.nanoTime();
                String sent = "udp#" + id + " " + (++seq);
                byte[] out = sent.getBytes(StandardCharsets.US_ASCII);
                ch.socket().send(new DatagramPacket(out, out.length));
                String from = receive(ch, buf, sent);
                if (from == null) {
                    settings.ledger().udpLost();
                    if (++lostInARow == LOST_IN_A_ROW_BREAKS && real != null && settings.running()) {
                        settings.ledger()
                                .broken(flow, real, LOST_IN_A_ROW_BREAKS + " requests in a row without an answer");
                        real = null;
                    }
                } else {
                    lostInARow = 0;
                    settings.ledger().udpReply(from);
                    if (real == null) {
                        real = from;
                    } else if (!real.equals(from)) {
                        settings.ledger().broken(flow, real, "answered by " + from + " instead of " + real);
                        real = from;
                    }
                }
                settings.pauseRestOfInterval(t0);
            }
        } catch (IOException e) {
            if (settings.running()) {
                settings.ledger().broken(flow, null, "socket failed: " + e);
            }
        }
    }

    /** The real that answered sent, or null when no answer came in time (late answers are skipped). */
    private String receive(DatagramChannel ch, byte[] buf, String sent) throws IOException {
        long deadline = System.nanoTime() + settings.timeoutMillis() * 1_000_000L;
        while (System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                ch.socket().receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            String reply = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
            int space = reply.indexOf(' ');
            if (space > 0 && reply.substring(space + 1).equals(sent)) {
                return reply.substring(0, space);
            }
        }
        return null;
    }
}
