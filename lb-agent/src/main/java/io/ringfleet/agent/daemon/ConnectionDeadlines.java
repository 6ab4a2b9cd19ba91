package io.ringfleet.agent.daemon;

import io.grpc.netty.shaded.io.netty.channel.ChannelDuplexHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;
import io.ringfleet.agent.edge.RateLimitedWarning;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP endpoint's two deadlines for one connection: its whole request must have arrived within the request
 * timeout (a client that sends half a request, or one byte a second, is closed), and the connection is closed at
 * the connection timeout whatever it is doing (a client that never reads its answer).
 */
final class ConnectionDeadlines extends ChannelDuplexHandler {
    private final AgentHttpServer.Limits limits;
    private final RateLimitedWarning warnings;
    private ScheduledFuture<?> requestDeadline;
    private ScheduledFuture<?> connectionDeadline;

    ConnectionDeadlines(AgentHttpServer.Limits limits, RateLimitedWarning warnings) {
        this.limits = limits;
        this.warnings = warnings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        requestDeadline = ctx.executor()
                .schedule(
                        () -> expire(
                                ctx,
                                "http-request-timeout",
                                "sent no complete request within " + limits.requestTimeout()),
                        limits.requestTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
        connectionDeadline = ctx.executor()
                .schedule(
                        () -> expire(
                                ctx, "http-connection-timeout", "was still open after " + limits.connectionTimeout()),
                        limits.connectionTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            requestDeadline.cancel(false);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        requestDeadline.cancel(false);
        connectionDeadline.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requestDeadline.cancel(false);
        connectionDeadline.cancel(false);
        ctx.fireChannelInactive();
    }

    private void expire(ChannelHandlerContext ctx, String kind, String why) {
        if (ctx.channel().isOpen()) {
            warnings.warn(kind, "closed an HTTP connection that " + why);
            ctx.close();
        }
    }
}
