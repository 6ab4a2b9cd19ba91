package io.ringfleet.agent.edge;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFactory;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} open connections on one listening socket (Netty): a connection accepted beyond the cap
 * is closed at once, before any byte of it is read, with a rate-limited WARN. Counted from accept to close,
 * TLS handshake or not, so idle raw connections cannot exhaust the process's file descriptors.
 */
public final class ConnectionCap {
    private final String what;
    private final int max;
    private final RateLimitedWarning warnings;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusedTotal = new AtomicInteger();

    /** @param what the endpoint, for the log ("API on 127.0.0.1:9871") */
    public ConnectionCap(String what, int max, RateLimitedWarning warnings) {
        if (max < 1) {
            throw new IllegalArgumentException("the connection cap must be at least 1, got " + max);
        }
        this.what = Objects.requireNonNull(what, "what");
        this.max = max;
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /** A factory of listening channels that apply this cap (give it to the Netty server). */
    public ChannelFactory<NioServerSocketChannel> channelFactory() {
        return CappedServerChannel::new;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections refused since start. */
    public int refused() {
        return refusedTotal.get();
    }

    private boolean admit(Channel child) {
        while (true) {
            int now = open.get();
            if (now >= max) {
                refusedTotal.incrementAndGet();
                warnings.warn(
                        "connection-cap:" + what,
                        what + ": refused a connection, " + max + " are open (the cap; LbAgentBuilder.apiLimits /"
                                + " httpLimits raise it)");
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                child.closeFuture().addListener(f -> open.decrementAndGet());
                return true;
            }
        }
    }

    /** The listening socket: accepts as Netty does, then closes what the cap does not admit. */
    private final class CappedServerChannel extends NioServerSocketChannel {
        @Override
        protected int doReadMessages(List<Object> accepted) throws Exception {
            int first = accepted.size();
            int n = super.doReadMessages(accepted);
            for (int i = accepted.size() - 1; i >= first; i--) {
                Channel child = (Channel) accepted.get(i);
                if (!admit(child)) {
                    accepted.remove(i);
                    n--;
                    // not registered with an event loop yet: closing it here only closes the socket
                    child.unsafe().closeForcibly();
                }
            }
            return n;
        }
    }
}
