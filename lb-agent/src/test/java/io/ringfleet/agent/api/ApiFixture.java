package io.ringfleet.agent.api;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.ringfleet.agent.security.RateLimitedLog;
import io.ringfleet.agent.security.Role;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.TlsMaterial;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.katran.KatranServiceGrpc;
import io.ringfleet.state.FleetLimits;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An API server over mutual TLS on a loopback port, with node lb1's certificate, serving an
 * {@link InProcessFleetLog}; and clients with the test PKI's certificates.
 */
public final class ApiFixture implements AutoCloseable {
    public static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    /** Node lb1's configured gateway MAC (the MAC in use until the log sets one). */
    public static final String DEFAULT_GATEWAY_MAC = "02:00:00:00:00:fe";

    public final TestPki pki;
    public final InProcessFleetLog log;
    public final ApiServer server;
    public final FixedStats stats;
    /** The server's refused TLS handshakes and refused calls, one line each (not rate-limited here). */
    public final List<String> refusals;

    private final List<ManagedChannel> channels = new ArrayList<>();

    private ApiFixture(TestPki pki, InProcessFleetLog log, ApiServer server, FixedStats stats, List<String> refusals) {
        this.refusals = refusals;
        this.pki = pki;
        this.stats = stats;
        this.log = log;
        this.server = server;
    }

    public static ApiFixture start(TestPki pki) throws Exception {
        InProcessFleetLog log = new InProcessFleetLog(
                "lb1", FleetLimits.builder().maxVips(8).maxReals(16).build());
        FixedStats stats = new FixedStats();
        List<String> refusals = Collections.synchronizedList(new ArrayList<>());
        ApiServer server = ApiServer.builder()
                .address(new InetSocketAddress("127.0.0.1", 0))
                .tls(pki.material("lb1"))
                .refusals(new RateLimitedLog(refusals::add, Duration.ZERO, System::nanoTime))
                .gateway(log)
                .progress(log)
                .rings(log.rings())
                .stats(stats)
                .defaultGatewayMac(io.ringfleet.state.MacAddress.parse(DEFAULT_GATEWAY_MAC))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build()
                .start();
        return new ApiFixture(pki, log, server, stats, refusals);
    }

    public String target() {
        return "127.0.0.1:" + server.port();
    }

    public ManagedChannel channel(String certName) throws Exception {
        return channel(pki.material(certName).apiClientCredentials());
    }

    public ManagedChannel channel(ChannelCredentials credentials) {
        ManagedChannel c = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), credentials)
                .build();
        channels.add(c);
        return c;
    }

    /** Trusts the fleet CA but presents no certificate. */
    public ManagedChannel channelWithoutCertificate() throws Exception {
        TlsMaterial node = pki.material("lb2");
        return channel(TlsChannelCredentials.newBuilder()
                .trustManager(node.trustManagerFor(Role.NODE))
                .build());
    }

    public ControlServiceGrpc.ControlServiceBlockingStub control(String certName) throws Exception {
        return ControlServiceGrpc.newBlockingStub(channel(certName)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    public KatranServiceGrpc.KatranServiceBlockingStub katran(String certName) throws Exception {
        return KatranServiceGrpc.newBlockingStub(channel(certName)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        server.close();
        log.close();
    }

    /** Datapath counters a test sets (the product reads them from BPF maps). */
    public static final class FixedStats implements StatsSource {
        private Snapshot snapshot = new Snapshot(new TreeMap<>(), new TreeMap<>(), List.of());
        private Snapshot afterNextRead;

        public synchronized void set(Snapshot s) {
            snapshot = s;
            afterNextRead = null;
        }

        /** The next read still sees the current counters; every read after it sees {@code next}. */
        public synchronized void setAfterNextRead(Snapshot next) {
            afterNextRead = next;
        }

        @Override
        public synchronized Snapshot read() {
            Snapshot now = snapshot;
            if (afterNextRead != null) {
                snapshot = afterNextRead;
                afterNextRead = null;
            }
            return now;
        }
    }
}
