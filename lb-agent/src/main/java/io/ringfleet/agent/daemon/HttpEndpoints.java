package io.ringfleet.agent.daemon;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The HTTP endpoint's routes. The answer is computed off the event loop (a scrape reads BPF maps; a probe may
 * take a lock) and written back on it; one request per connection.
 */
@ChannelHandler.Sharable
final class HttpEndpoints extends SimpleChannelInboundHandler<FullHttpRequest> {
    private record Reply(int code, String type, String body) {}

    private static final String TEXT = "text/plain; charset=utf-8";

    private final Supplier<String> metrics;
    private final Supplier<AgentHttpServer.Probe> health;
    private final Supplier<AgentHttpServer.Probe> ready;
    private final Executor answers;

    HttpEndpoints(
            Supplier<String> metrics,
            Supplier<AgentHttpServer.Probe> health,
            Supplier<AgentHttpServer.Probe> ready,
            Executor answers) {
        this.metrics = metrics;
        this.health = health;
        this.ready = ready;
        this.answers = answers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!request.decoderResult().isSuccess()) {
            send(ctx, false, new Reply(400, TEXT, "bad request\n"));
            return;
        }
        if (!HttpMethod.GET.equals(request.method()) && !head) {
            send(ctx, false, new Reply(405, TEXT, "only GET\n"));
            return;
        }
        Supplier<Reply> route = route(request.uri());
        try {
            answers.execute(() -> send(ctx, head, answer(route)));
        } catch (RejectedExecutionException busy) {
            send(ctx, head, new Reply(503, TEXT, "busy: too many requests in progress, retry\n"));
        }
    }

    private Supplier<Reply> route(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return switch (path) {
            case "/metrics" -> () -> new Reply(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
            case "/healthz" -> () -> probe(health.get());
            case "/readyz" -> () -> probe(ready.get());
            default -> () -> new Reply(404, TEXT, "not found; try /metrics, /healthz or /readyz\n");
        };
    }

    private static Reply answer(Supplier<Reply> route) {
        try {
            return route.get();
        } catch (RuntimeException e) {
            return new Reply(500, TEXT, "error: " + e + "\n");
        }
    }

    private static Reply probe(AgentHttpServer.Probe p) {
        return new Reply(p.ok() ? 200 : 503, TEXT, (p.ok() ? "ok: " : "not ok: ") + p.detail() + "\n");
    }

    /** Writes the answer and closes the connection (from any thread: Netty queues it on the event loop). */
    private static void send(ChannelHandlerContext ctx, boolean head, Reply r) {
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.code()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.type())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset by the client, a decoding failure: nothing to answer
    }
}
