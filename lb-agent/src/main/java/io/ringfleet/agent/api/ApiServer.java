package io.ringfleet.agent.api;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.ringfleet.agent.edge.ConnectionCap;
import io.ringfleet.agent.edge.MalformedRequestGuard;
import io.ringfleet.agent.edge.RateLimitedWarning;
import io.ringfleet.agent.rings.RingView;
import io.ringfleet.agent.security.AuthInterceptor;
import io.ringfleet.agent.security.MethodPolicy;
import io.ringfleet.agent.security.RateLimitedLog;
import io.ringfleet.agent.security.TlsMaterial;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.MacAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's gRPC endpoint: ControlService and KatranService behind {@link AuthInterceptor}, over mutual
 * TLS — or plaintext, only when asked for explicitly, with a warning in the log.
 *
 * <p>Hardened against clients ({@link ApiLimits}): a connection cap counted from accept ({@link ConnectionCap}),
 * handshake, idle and age limits, keepalive, message and header sizes, calls per connection, bounded waits
 * released when their caller cancels; malformed requests are INVALID_ARGUMENT with a rate-limited WARN
 * ({@link MalformedRequestGuard}).
 *
 * <pre>{@code
 * ApiServer api = ApiServer.builder().address(new InetSocketAddress("10.0.0.1", 9871))
 *     .tls(TlsMaterial.forNode(config.tls(), "lb1")).gateway(gateway).progress(progress).stats(stats)
 *     .build();
 * api.start();
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final InetSocketAddress address;
    private final boolean plaintext;
    private final Server server;
    private final ScheduledThreadPoolExecutor timer;
    private final ProgrammedWaiter waiter;
    private final ConnectionCap connections;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    private ApiServer(Builder b) {
        this.address = b.address;
        this.plaintext = b.plaintext;
        ApiLimits limits = b.limits;
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("ringfleet-api-timer"));
        // a cancelled wait's deadline leaves the queue at once (it would otherwise stay until it fires)
        timer.setRemoveOnCancelPolicy(true);
        BatchWriter writer = new BatchWriter(b.gateway, b.clock);
        this.waiter = new ProgrammedWaiter(b.gateway.nodeId(), b.progress, timer, limits.maxWaits());
        MethodPolicy policy = MethodPolicy.ringfleet();
        AuthInterceptor auth = b.plaintext
                ? AuthInterceptor.plaintext(policy)
                : b.refusals == null
                        ? AuthInterceptor.mutualTls(policy)
                        : AuthInterceptor.mutualTls(policy, b.refusals);
        ServerCredentials credentials = b.plaintext
                ? InsecureServerCredentials.create()
                : b.refusals == null ? b.tls.apiServerCredentials() : b.tls.apiServerCredentials(b.refusals);
        RateLimitedWarning warnings = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_WINDOW);
        MalformedRequestGuard guard = new MalformedRequestGuard(warnings);
        this.connections = new ConnectionCap("API on " + address, limits.maxConnections(), warnings);
        this.boss = new NioEventLoopGroup(1, daemon("ringfleet-api-accept"));
        this.workers = new NioEventLoopGroup(2, daemon("ringfleet-api-io"));
        this.server = withLimits(NettyServerBuilder.forAddress(address, credentials), limits)
                .channelFactory(connections.channelFactory())
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .addService(guard.guard(ServerInterceptors.intercept(
                        new ControlServer(b.gateway, rings(b), writer, waiter, b.stats, b.explain), auth)))
                .addService(guard.guard(ServerInterceptors.intercept(
                        new KatranServer(b.gateway, writer, b.stats, b.defaultGatewayMac), auth)))
                .build();
    }

    private static NettyServerBuilder withLimits(NettyServerBuilder b, ApiLimits limits) {
        return b.handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionIdle(limits.maxConnectionIdle().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTime(limits.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(limits.permitKeepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(false)
                .maxInboundMessageSize(limits.maxInboundMessageBytes())
                .maxInboundMetadataSize(limits.maxInboundMetadataBytes())
                .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection());
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The node's ring view; without one (no datapath), a view of the API's own, fed by the images it reads. */
    private static RingView rings(Builder b) {
        return b.rings != null ? b.rings : new RingView(FleetLimits.RING_SIZE);
    }

    /** Binds and starts serving. */
    public ApiServer start() throws IOException {
        if (plaintext) {
            LOG.warn(
                    "API on {} is PLAINTEXT: no encryption and no client identity, every caller is an operator."
                            + " Use this on test networks only.",
                    address);
        }
        server.start();
        LOG.info("API serving on {}:{} ({})", address.getHostString(), port(), plaintext ? "plaintext" : "mutual TLS");
        return this;
    }

    /** The bound port (useful when the address asked for port 0). */
    public int port() {
        return server.getPort();
    }

    public boolean isPlaintext() {
        return plaintext;
    }

    /** Programmed-index waits in progress, and deadlines still queued for them (both 0 when nobody waits). */
    public ProgrammedWaiter.Counts waits() {
        return waiter.counts();
    }

    /** Connections open now and refused since start (the cap). */
    public ConnectionCap connections() {
        return connections;
    }

    /** Stops accepting calls, lets running calls finish for up to 5 seconds, then cancels them. */
    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            timer.shutdownNow();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    public static final class Builder {
        private InetSocketAddress address;
        private TlsMaterial tls;
        private RateLimitedLog refusals;
        private boolean plaintext;
        private FleetGateway gateway;
        private FleetProgress progress;
        private StatsSource stats;
        private FlowExplainService explain;
        private RingView rings;
        private Clock clock = Clock.systemUTC();
        private MacAddress defaultGatewayMac;
        private ApiLimits limits = ApiLimits.DEFAULTS;

        private Builder() {}

        /** Connection, keepalive, size and wait limits ({@link ApiLimits#DEFAULTS} unless set). */
        public Builder limits(ApiLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The node's configured gateway MAC: the MAC in use until the log sets one (Katran's getMac). */
        public Builder defaultGatewayMac(MacAddress mac) {
            this.defaultGatewayMac = Objects.requireNonNull(mac, "mac");
            return this;
        }

        /** Where to listen; port 0 picks a free port. */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Mutual TLS with this node's material (the usual case). */
        public Builder tls(TlsMaterial tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Where refused TLS handshakes and refused calls (UNAUTHENTICATED, PERMISSION_DENIED) are logged; default:
         * WARN lines, at most one per 10 s for each of the two.
         */
        public Builder refusals(RateLimitedLog refusals) {
            this.refusals = Objects.requireNonNull(refusals, "refusals");
            return this;
        }

        /** No TLS at all: for test networks only; logged as a warning at start. */
        public Builder plaintext() {
            this.plaintext = true;
            return this;
        }

        public Builder gateway(FleetGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        public Builder progress(FleetProgress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** This node's Maglev rings (ring digests in reads): the agent's {@link RingView}. */
        public Builder rings(RingView rings) {
            this.rings = Objects.requireNonNull(rings, "rings");
            return this;
        }

        /** This node's datapath counters; without them the stats calls answer UNAVAILABLE. */
        public Builder stats(StatsSource stats) {
            this.stats = stats;
            return this;
        }

        /** Which real this node (and the fleet) picks for a flow; without it ExplainFlow answers UNAVAILABLE. */
        public Builder explain(FlowExplainService explain) {
            this.explain = explain;
            return this;
        }

        /** The clock that stamps log entries (the system UTC clock unless a test says otherwise). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public ApiServer build() {
            if (address == null || gateway == null || progress == null) {
                throw new IllegalStateException("an API server needs an address, a gateway and a progress source");
            }
            if (plaintext == (tls != null)) {
                throw new IllegalStateException(
                        plaintext
                                ? "choose either TLS material or plaintext, not both"
                                : "give TLS material (tls(...)), or ask for plaintext() explicitly");
            }
            return new ApiServer(this);
        }
    }
}
