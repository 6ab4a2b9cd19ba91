package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.ringfleet.agent.api.ApiLimits;
import io.ringfleet.agent.api.ApiServer;
import io.ringfleet.agent.api.ProgrammedWaiter;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.ListVipsRequest;
import io.ringfleet.api.WaitProgrammedRequest;
import io.ringfleet.api.WaitProgrammedResponse;
import io.ringfleet.api.katran.KatranServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attacks on a running agent's edges (one {@link LbAgent}, a one-voter fleet, mutual TLS, BPF maps in the kernel,
 * not attached), each as the adversarial review ran it: malformed and deeply nested protobuf, cancelled waits,
 * more connections than the cap, a TLS port held without a handshake, slow HTTP clients holding half a request.
 * Each passes only if the agent refuses the attack and keeps serving.
 */
@Tag(SecurityProbeSummary.TAG)
class EdgeProbesTest {
    private static final int MAX_CONNECTIONS = 6;
    private static final int MAX_WAITS = 64;
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration MAX_IDLE = Duration.ofSeconds(5);
    /** Generous: the machine is shared; every wait below ends as soon as its state is reached. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static AgentFleet fleet;
    private static LbAgent agent;
    private static final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void startAgent() throws Exception {
        ApiLimits d = ApiLimits.DEFAULTS;
        ApiLimits limits = new ApiLimits(
                MAX_CONNECTIONS,
                HANDSHAKE_TIMEOUT,
                MAX_IDLE,
                d.maxConnectionAge(),
                d.maxConnectionAgeGrace(),
                d.keepAliveTime(),
                d.keepAliveTimeout(),
                d.permitKeepAliveTime(),
                d.maxInboundMessageBytes(),
                d.maxInboundMetadataBytes(),
                d.maxCallsPerConnection(),
                MAX_WAITS);
        fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 8, Map.of());
        fleet.options("lb1", b -> b.fallbackConnTableOnly(true).apiLimits(limits));
        fleet.startAll(Duration.ofSeconds(60));
        agent = fleet.agent("lb1");
    }

    @AfterAll
    static void stopAgent() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (fleet != null) {
            fleet.close();
        }
    }

    // ---- malformed protobuf ----

    @Test
    void malformedAndDeepRequestsAreInvalidArgumentWithOneWarnLineAndNoStackTrace() throws Exception {
        ManagedChannel channel = channel("alice");
        byte[] truncated = {0x0a, 0x05, 0x01}; // field 1, 5 bytes announced, 1 sent
        byte[] deep = nestedGroups(150);
        List<String> methods = List.of(
                ControlServiceGrpc.getApplyMethod().getFullMethodName(),
                KatranServiceGrpc.getAddVipMethod().getFullMethodName());
        int rounds = 100;
        try (Captured log = Captured.start()) {
            long started = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                for (String method : methods) {
                    for (byte[] request : List.of(truncated, deep)) {
                        StatusRuntimeException e =
                                assertThrows(StatusRuntimeException.class, () -> rawCall(channel, method, request));
                        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), method + ": " + e);
                    }
                }
            }
            long windows = 1 + (System.nanoTime() - started) / TimeUnit.SECONDS.toNanos(10);
            for (String method : methods) {
                long lines = log.linesContaining("refused a malformed request to " + method);
                assertTrue(
                        lines >= 1 && lines <= windows,
                        method + ": " + lines + " WARN lines in " + windows + " window(s) of 10 s for " + (2 * rounds)
                                + " malformed requests");
            }
            assertEquals(0, log.stackTraceLines(), "stack trace lines in the log:\n" + log.text());
            assertEquals(0, log.julRecordsWithThrowable(), "java.util.logging records with a stack trace");
        }
        // the agent still serves the same connection
        ControlServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .listVips(ListVipsRequest.getDefaultInstance());
    }

    /** {@code depth} unknown groups, each inside the last: a message nested {@code depth} deep. */
    private static byte[] nestedGroups(int depth) {
        byte[] b = new byte[2 * depth];
        Arrays.fill(b, 0, depth, (byte) ((15 << 3) | 3)); // field 15, start group
        Arrays.fill(b, depth, 2 * depth, (byte) ((15 << 3) | 4)); // field 15, end group
        return b;
    }

    private static byte[] rawCall(ManagedChannel channel, String method, byte[] request) {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder(RAW, RAW)
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method)
                .build();
        return ClientCalls.blockingUnaryCall(
                channel, raw, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
    }

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    // ---- cancelled and bounded waits ----

    @Test
    void cancelledWaitsReleaseTheirWaitersAtOnceAndWaitsAreBounded() throws Exception {
        ApiServer api = agent.api();
        ManagedChannel channel = channel("alice");
        long never = agent.image().index() + 1_000_000; // no write comes: these waits end only by cancel
        List<ClientCall<WaitProgrammedRequest, WaitProgrammedResponse>> calls = new ArrayList<>();
        List<Status> endings = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < MAX_WAITS; i++) {
            calls.add(startWait(channel, never, endings));
        }
        awaitState(() -> api.waits().waiting() == MAX_WAITS, () -> "waits in progress " + api.waits());
        assertEquals(MAX_WAITS, api.waits().deadlinesQueued(), "one deadline per wait");

        ClientCall<WaitProgrammedRequest, WaitProgrammedResponse> over = startWait(channel, never, endings);
        awaitState(() -> endings.size() == 1, () -> "the wait beyond the cap was not refused: " + endings);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, endings.get(0).getCode(), endings.toString());

        calls.forEach(c -> c.cancel("the probe gives up", null));
        awaitState(
                () -> api.waits().equals(new ProgrammedWaiter.Counts(0, 0)),
                () -> "after " + MAX_WAITS + " cancels: " + api.waits());

        // control: the next wait is accepted again (and ends at its own timeout)
        WaitProgrammedResponse r = ControlServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .waitProgrammed(WaitProgrammedRequest.newBuilder()
                        .setIndex(never)
                        .setTimeoutMs(50)
                        .build());
        assertTrue(r.getProgress().getTimedOut(), r.toString());
        over.cancel("done", null);
    }

    private static ClientCall<WaitProgrammedRequest, WaitProgrammedResponse> startWait(
            ManagedChannel channel, long index, List<Status> endings) {
        ClientCall<WaitProgrammedRequest, WaitProgrammedResponse> call =
                channel.newCall(ControlServiceGrpc.getWaitProgrammedMethod(), CallOptions.DEFAULT);
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        if (status.getCode() != Status.Code.CANCELLED) {
                            endings.add(status);
                        }
                    }
                },
                new Metadata());
        call.sendMessage(WaitProgrammedRequest.newBuilder()
                .setIndex(index)
                .setTimeoutMs(600_000)
                .build());
        call.halfClose();
        call.request(1);
        return call;
    }

    // ---- connections ----

    @Test
    void theConnectionBeyondTheCapIsRefusedAndAFreedSlotServesAgain() throws Exception {
        ApiServer api = agent.api();
        List<ManagedChannel> held = new ArrayList<>();
        try {
            // the probes' shared channels may hold connections already: fill up to the cap, no further; each held
            // connection keeps a wait open, so the idle limit (5 s here) does not close it meanwhile
            long never = agent.image().index() + 1_000_000;
            List<Status> endings = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = api.connections().open(); i < MAX_CONNECTIONS; i++) {
                ManagedChannel c = newChannel("alice");
                held.add(c);
                int waits = api.waits().waiting();
                startWait(c, never, endings);
                awaitState(() -> api.waits().waiting() > waits, () -> "the held connection's wait: " + endings);
            }
            assertEquals(MAX_CONNECTIONS, api.connections().open(), "connections counted up to the cap");
            int refusedBefore = api.connections().refused();
            ManagedChannel beyond = newChannel("alice");
            held.add(beyond);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> listVips(beyond));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            assertTrue(api.connections().refused() > refusedBefore, "refusals counted");
            assertEquals(MAX_CONNECTIONS, api.connections().open());

            ManagedChannel first = held.remove(0);
            first.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            awaitState(
                    () -> api.connections().open() < MAX_CONNECTIONS,
                    () -> "open " + api.connections().open());
            ManagedChannel again = newChannel("alice");
            held.add(again);
            listVips(again);
        } finally {
            held.forEach(ManagedChannel::shutdownNow);
        }
    }

    @Test
    void anIdleConnectionIsClosedByTheAgent() throws Exception {
        ManagedChannel c = newChannel("alice");
        try {
            listVips(c);
            assertEquals(ConnectivityState.READY, c.getState(false));
            // the client would keep it 30 min; the agent sends GOAWAY after 5 s without calls
            awaitState(() -> c.getState(false) != ConnectivityState.READY, () -> "still " + c.getState(false));
        } finally {
            c.shutdownNow();
        }
    }

    /** Also closed by Netty's TLS handler after its own 10 s handshake timeout; the agent's is 3 s here. */
    @Test
    void aConnectionThatNeverHandshakesIsClosed() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(agent.apiAddress(), 10_000);
            s.setSoTimeout((int) PATIENCE.toMillis());
            // never a TLS ClientHello: the agent closes it at the handshake timeout (3 s here)
            assertEquals(-1, s.getInputStream().read(), "the agent should close the silent connection");
        }
    }

    // ---- slow HTTP clients ----

    @Test
    void twoClientsHoldingHalfARequestDoNotStallReadyz() throws Exception {
        InetSocketAddress http = agent.httpAddress();
        try (Socket slow1 = halfRequest(http, "/readyz");
                Socket slow2 = halfRequest(http, "/metrics")) {
            HttpClient client = HttpClient.newHttpClient();
            for (String path : List.of("/readyz", "/metrics", "/healthz")) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.getPort() + path))
                                .timeout(Duration.ofSeconds(1))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path + ": " + r.body());
            }
            // the slow ones are closed at the request timeout (5 s), not held
            for (Socket slow : List.of(slow1, slow2)) {
                slow.setSoTimeout((int) PATIENCE.toMillis());
                assertEquals(-1, slow.getInputStream().read(), "a half request should be closed by the agent");
            }
        }
    }

    private static Socket halfRequest(InetSocketAddress http, String path) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", http.getPort()), 10_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    // ---- files (the control of FileOwnershipProbesTest: what the agent makes is its own and private) ----

    @Test
    void theDirsTheAgentMadeAreItsOwnAndPrivate() throws Exception {
        for (Path dir : List.of(fleet.work.resolve("data/lb1"), fleet.pins.resolve("lb1"))) {
            assertEquals(0, Files.getAttribute(dir, "unix:uid"), dir.toString());
            assertEquals(
                    "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), dir.toString());
        }
    }

    // ---- helpers ----

    private static void listVips(ManagedChannel c) {
        ControlServiceGrpc.newBlockingStub(c)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .listVips(ListVipsRequest.getDefaultInstance());
    }

    private static synchronized ManagedChannel channel(String cert) throws Exception {
        ManagedChannel c = newChannel(cert);
        channels.add(c);
        return c;
    }

    private static ManagedChannel newChannel(String cert) throws Exception {
        InetSocketAddress api = agent.apiAddress();
        return Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", api.getPort(), fleet.pki.material(cert).apiClientCredentials())
                .build();
    }

    private static void awaitState(BooleanSupplier reached, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!reached.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE + ": " + what.get());
            }
            Thread.sleep(10);
        }
    }

    /**
     * The agent's log lines (slf4j-simple writes to System.err, looked up at each line) and gRPC's own
     * java.util.logging records, while a probe runs.
     */
    private static final class Captured implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<LogRecord> jul = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue() && record.getThrown() != null) {
                    jul.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };

        static Captured start() {
            Captured c = new Captured();
            System.setErr(new PrintStream(new TeeStream(c.original, c.bytes), true, StandardCharsets.UTF_8));
            Logger.getLogger("").addHandler(c.handler);
            return c;
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        long linesContaining(String s) {
            return text().lines().filter(l -> l.contains(s)).count();
        }

        long stackTraceLines() {
            return text().lines().filter(l -> l.startsWith("\tat ")).count();
        }

        long julRecordsWithThrowable() {
            return jul.size();
        }

        @Override
        public void close() {
            System.setErr(original);
            Logger.getLogger("").removeHandler(handler);
        }
    }

    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final ByteArrayOutputStream b;

        TeeStream(OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }
    }
}
