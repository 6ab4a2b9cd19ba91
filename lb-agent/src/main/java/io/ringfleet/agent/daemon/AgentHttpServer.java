package io.ringfleet.agent.daemon;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.ringfleet.agent.edge.ConnectionCap;
import io.ringfleet.agent.edge.RateLimitedWarning;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's plain HTTP endpoint (metrics-address): {@code GET /metrics} (Prometheus text format),
 * {@code /healthz} and {@code /readyz} (200 with "ok: ..." or 503 with why not, one line of text).
 *
 * <p>Netty, like the API, rather than the JDK's HttpServer: the JDK server reads a request's headers on its
 * executor's threads, blocking, with no read timeout unless set JVM-wide by system properties, so two clients
 * sending half a request stalled every probe. Here requests are read by the event loop without blocking, a
 * connection must deliver its whole request within {@link Limits#requestTimeout} and is closed after
 * {@link Limits#connectionTimeout} whatever it does, connections are capped ({@link ConnectionCap}), and the
 * answers (a scrape reads BPF maps) are computed on a small bounded pool: when it is full the answer is 503.
 * One request per connection (the answer says {@code Connection: close}).
 */
public final class AgentHttpServer implements AutoCloseable {
    /** A probe's answer. */
    public record Probe(boolean ok, String detail) {}

    /**
     * @param maxConnections open connections at once; more are closed at accept
     * @param requestTimeout a connection must have sent a complete request within this, or it is closed
     * @param connectionTimeout a connection is closed this long after it was accepted, answered or not
     * @param maxRequestBytes request line, headers and body together at most
     */
    public record Limits(int maxConnections, Duration requestTimeout, Duration connectionTimeout, int maxRequestBytes) {
        public static final Limits DEFAULTS = new Limits(64, Duration.ofSeconds(5), Duration.ofSeconds(30), 16 << 10);

        public Limits {
            if (maxConnections < 1 || maxRequestBytes < 1024) {
                throw new IllegalArgumentException("HTTP limits: at least 1 connection and 1024 request bytes, got "
                        + maxConnections + " and " + maxRequestBytes);
            }
            if (requestTimeout.isNegative()
                    || requestTimeout.isZero()
                    || connectionTimeout.compareTo(requestTimeout) < 0) {
                throw new IllegalArgumentException("HTTP limits: the request timeout must be positive and the"
                        + " connection timeout at least as long, got " + requestTimeout + " and " + connectionTimeout);
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);

    private final InetSocketAddress requested;
    private final Limits limits;
    private final HttpEndpoints endpoints;
    private final ConnectionCap connections;
    private final RateLimitedWarning warnings = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_WINDOW);
    private final EventLoopGroup boss = new NioEventLoopGroup(1, daemon("agent-http-accept"));
    private final EventLoopGroup io = new NioEventLoopGroup(1, daemon("agent-http-io"));
    private final ThreadPoolExecutor answers;
    private Channel listening;

    /**
     * @param metrics the scrape text (Prometheus exposition format 0.0.4)
     */
    public AgentHttpServer(
            InetSocketAddress address, Supplier<String> metrics, Supplier<Probe> health, Supplier<Probe> ready) {
        this(address, metrics, health, ready, Limits.DEFAULTS);
    }

    public AgentHttpServer(
            InetSocketAddress address,
            Supplier<String> metrics,
            Supplier<Probe> health,
            Supplier<Probe> ready,
            Limits limits) {
        this.requested = Objects.requireNonNull(address, "address");
        this.limits = Objects.requireNonNull(limits, "limits");
        // two threads answer; 16 more answers may queue; beyond that the answer is 503 (never an unbounded queue)
        this.answers = new ThreadPoolExecutor(
                2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16), daemon("agent-http-answer"));
        this.endpoints = new HttpEndpoints(
                Objects.requireNonNull(metrics, "metrics"),
                Objects.requireNonNull(health, "health"),
                Objects.requireNonNull(ready, "ready"),
                answers);
        this.connections = new ConnectionCap("HTTP on " + address, limits.maxConnections(), warnings);
    }

    /** Binds and serves; a port in use is an IOException naming the address. */
    public AgentHttpServer start() throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, io)
                .channelFactory(connections.channelFactory())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(limits.maxRequestBytes()))
                                .addLast(new ConnectionDeadlines(limits, warnings))
                                .addLast(endpoints);
                    }
                });
        try {
            listening = b.bind(requested).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the HTTP endpoint to " + requested, e);
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked-looking
            close();
            throw new IOException("cannot serve HTTP on " + requested + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** The bound address (port 0 in the config means an ephemeral port). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listening.localAddress();
    }

    /** Connections open now and refused since start. */
    public ConnectionCap connections() {
        return connections;
    }

    @Override
    public void close() {
        if (listening != null) {
            listening.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        answers.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
