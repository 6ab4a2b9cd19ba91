package io.ringfleet.agent.health;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.health.CheckKind;
import io.ringfleet.state.health.HealthCheckSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One probe in flight, on the prober's event loop: connect to the VIP address from a socket marked with the
 * target's SO_MARK; TCP succeeds on connect, HTTP sends {@code GET path} and compares the status line. The
 * result is handed over exactly once, on the loop: the first of success, failure or the timeout; the socket is
 * then closed with a reset (SO_LINGER 0), as HAProxy closes its checks, so a probe leaves no TIME_WAIT behind.
 */
final class Probe extends ChannelInboundHandlerAdapter {
    private final ProbeTarget target;
    private final Consumer<ProbeResult> done;
    private final long started = System.nanoTime();
    private final StringBuilder statusLine = new StringBuilder();
    private Channel channel;
    private ScheduledFuture<?> timeout;
    private boolean finished;

    private Probe(ProbeTarget target, Consumer<ProbeResult> done) {
        this.target = target;
        this.done = done;
    }

    /** Starts a probe of target on loop; must run on the loop. */
    static void start(EventLoop loop, ProbeTarget target, Consumer<ProbeResult> done) {
        HealthCheckSpec spec = target.spec();
        Probe probe = new Probe(target, done);
        // a channel made directly, not through a Bootstrap: one probe is one socket, no option maps to copy
        EpollSocketChannel channel = new EpollSocketChannel();
        channel.config().setSoLinger(0).setConnectTimeoutMillis(spec.timeoutMillis());
        channel.pipeline().addLast(probe);
        probe.channel = channel;
        probe.timeout = loop.schedule(
                () -> probe.finish(false, "no answer within " + spec.timeoutMillis() + " ms"),
                spec.timeoutMillis(),
                TimeUnit.MILLISECONDS);
        loop.register(channel).addListener(f -> {
            if (f.isSuccess()) {
                probe.markAndConnect();
            } else {
                probe.finish(false, "socket: " + oneLine(f.cause()));
            }
        });
    }

    /**
     * Sets the mark, then connects. Set here rather than as a bootstrap option, which only logs a failure: a
     * probe whose mark did not take would go to the VIP unencapsulated and test whichever real it reached.
     */
    private void markAndConnect() {
        try {
            if (!channel.config().setOption(SocketMark.OPTION, target.mark())) {
                finish(false, "SO_MARK is not supported by this channel");
                return;
            }
        } catch (RuntimeException e) {
            finish(false, "SO_MARK " + Integer.toUnsignedString(target.mark()) + ": " + oneLine(e));
            return;
        }
        InetSocketAddress vip = new InetSocketAddress(
                inet(target.pair().vip().address()), target.spec().port());
        channel.connect(vip).addListener(f -> {
            if (f.isSuccess()) {
                connected();
            } else {
                finish(false, "connect: " + oneLine(f.cause()));
            }
        });
    }

    private static InetAddress inet(IpAddress address) {
        try {
            return InetAddress.getByAddress(address.bytes()); // bytes only: never a name lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IpAddress is 4 or 16 bytes", e);
        }
    }

    private void connected() {
        HealthCheckSpec spec = target.spec();
        if (spec.kind() == CheckKind.TCP) {
            finish(true, "connected");
            return;
        }
        String host = target.pair().vip().isV6()
                ? "[" + target.pair().vip().address() + "]"
                : target.pair().vip().address().toString();
        String request = "GET " + spec.httpPath() + " HTTP/1.1\r\nHost: " + host + ":" + spec.port()
                + "\r\nUser-Agent: ringfleet-health\r\nConnection: close\r\n\r\n";
        channel.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        finish(false, "sending the request: " + oneLine(f.cause()));
                    }
                });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable() && !finished) {
                char c = (char) (in.readByte() & 0xff);
                if (c == '\n') {
                    statusRead();
                } else if (c != '\r') {
                    statusLine.append(c);
                    if (statusLine.length() > HttpStatusLine.MAX_LENGTH) {
                        finish(false, "no HTTP status line in the first " + HttpStatusLine.MAX_LENGTH + " bytes");
                    }
                }
            }
        } finally {
            in.release();
        }
    }

    private void statusRead() {
        int status = HttpStatusLine.status(statusLine.toString());
        int expected = target.spec().expectedStatus();
        if (status < 0) {
            finish(false, "not an HTTP status line: " + abbreviated(statusLine.toString()));
        } else {
            finish(
                    status == expected,
                    status == expected ? "status " + status : "status " + status + ", expected " + expected);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(
                false,
                "closed by the real before "
                        + (target.spec().kind() == CheckKind.HTTP ? "a status line" : "the check ended"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(false, oneLine(cause));
    }

    private void finish(boolean ok, String reason) {
        if (finished) {
            return;
        }
        finished = true;
        timeout.cancel(false);
        channel.close();
        done.accept(new ProbeResult(ok, reason, System.nanoTime() - started));
    }

    private static String oneLine(Throwable cause) {
        String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return abbreviated(m.replace('\n', ' '));
    }

    private static String abbreviated(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }
}
