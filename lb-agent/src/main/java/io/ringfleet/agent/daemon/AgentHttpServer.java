package io.ringfleet.agent.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The node's plain HTTP endpoint (metrics-address): {@code GET /metrics} (Prometheus text format),
 * {@code /healthz} and {@code /readyz} (200 with "ok: ..." or 503 with why not, one line of text).
 */
public final class AgentHttpServer implements AutoCloseable {
    /** A probe's answer. */
    public record Probe(boolean ok, String detail) {}

    private final HttpServer server;
    private final ExecutorService threads;

    /**
     * @param metrics the scrape text (Prometheus exposition format 0.0.4)
     */
    public AgentHttpServer(
            InetSocketAddress address, Supplier<String> metrics, Supplier<Probe> health, Supplier<Probe> ready)
            throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        this.server = HttpServer.create(address, 16);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "agent-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext(
                "/metrics",
                ex -> handle(ex, () -> new Reply(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get())));
        server.createContext("/healthz", ex -> handle(ex, () -> probe(health.get())));
        server.createContext("/readyz", ex -> handle(ex, () -> probe(ready.get())));
        server.createContext(
                "/",
                ex -> handle(
                        ex,
                        () -> new Reply(
                                404, "text/plain; charset=utf-8", "not found; try /metrics, /healthz or /readyz\n")));
    }

    private record Reply(int code, String type, String body) {}

    private static Reply probe(Probe p) {
        return new Reply(
                p.ok() ? 200 : 503, "text/plain; charset=utf-8", (p.ok() ? "ok: " : "not ok: ") + p.detail() + "\n");
    }

    private static void handle(HttpExchange ex, Supplier<Reply> reply) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                send(ex, new Reply(405, "text/plain; charset=utf-8", "only GET\n"));
                return;
            }
            Reply r;
            try {
                r = reply.get();
            } catch (RuntimeException e) {
                r = new Reply(500, "text/plain; charset=utf-8", "error: " + e + "\n");
            }
            send(ex, r);
        }
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", r.type());
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(r.code(), head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public AgentHttpServer start() {
        server.start();
        return this;
    }

    /** The bound address (port 0 in the config means an ephemeral port). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
