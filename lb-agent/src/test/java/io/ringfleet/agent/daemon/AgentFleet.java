package io.ringfleet.agent.daemon;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.katran.KatranServiceGrpc;
import io.ringfleet.config.FleetConfig;
import io.ringfleet.config.FleetConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real fleet of {@link LbAgent}s in this JVM, started from a fleet config file written here: Ratis peers on
 * loopback sockets with mutual TLS (node certificates from {@link TestPki}), API servers over mutual TLS, each
 * node's BPF objects loaded in the kernel with their own pin dir under /sys/fs/bpf (small maps), and by default
 * not attached. Interfaces are named after the nodes ({@code interface: "{id}"}), so a test that attaches one
 * node makes a device of that name in a namespace.
 */
final class AgentFleet implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    final TestPki pki;
    final Path work;
    final Path pins;
    final Path configFile;
    final FleetConfig config;
    private final List<String> ids;
    private final Map<String, Integer> apiPorts = new LinkedHashMap<>();
    private final Map<String, Integer> metricsPorts = new LinkedHashMap<>();
    private final Map<String, LbAgent> agents = new TreeMap<>();
    private final Map<String, UnaryOperator<LbAgentBuilder>> options = new TreeMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Writes the config of nodes {@code ids} and starts nothing yet.
     *
     * @param nodeYaml extra lines of a node's section (indented by 4), e.g. {@code "    route-hook: /x"};
     *     {@code ${pins}} stands for the fleet's bpffs dir
     */
    AgentFleet(TestPki pki, List<String> ids, int maxVips, Map<String, String> nodeYaml) throws Exception {
        this(pki, ids, Set.of(), maxVips, nodeYaml, "");
    }

    /**
     * As above, with the nodes {@code listeners} (a subset of {@code ids}) as Raft listeners, the rest voters, and
     * {@code limitsYaml}: extra lines of the limits section (indented by 2), e.g. "  maglev: v2".
     */
    AgentFleet(
            TestPki pki,
            List<String> ids,
            Set<String> listeners,
            int maxVips,
            Map<String, String> nodeYaml,
            String limitsYaml)
            throws Exception {
        this.pki = pki;
        this.ids = List.copyOf(ids);
        this.work = Files.createTempDirectory("ringfleet-agent-fleet-");
        this.pins = Path.of(
                "/sys/fs/bpf", "rf-agent-fleet-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        StringBuilder y = new StringBuilder();
        y.append("version: 1\nfleet-id: test-fleet\npeers:\n");
        int[] ports = freePorts(3 * ids.size());
        int next = 0;
        for (String id : ids) {
            int raft = ports[next++];
            int api = ports[next++];
            apiPorts.put(id, api);
            metricsPorts.put(id, ports[next++]);
            y.append("  - id: ")
                    .append(id)
                    .append("\n    raft-address: 127.0.0.1:")
                    .append(raft)
                    .append("\n    api-address: 127.0.0.1:")
                    .append(api)
                    .append("\n    role: ")
                    .append(listeners.contains(id) ? "listener" : "voter")
                    .append("\n");
        }
        y.append("defaults:\n  interface: \"{id}\"\n  xdp-mode: driver\n  gateway-mac: \"02:00:00:00:00:01\"\n")
                .append("  lru-size: 1024\n  pin-dir: ")
                .append(pins)
                .append("/{id}\n  data-dir: ")
                .append(work)
                .append("/data/{id}\nnodes:\n");
        for (String id : ids) {
            y.append("  ")
                    .append(id)
                    .append(":\n    metrics-address: 127.0.0.1:")
                    .append(metricsPorts.get(id))
                    .append("\n");
            if (nodeYaml.containsKey(id)) {
                y.append(nodeYaml.get(id).replace("${pins}", pins.toString())).append("\n");
            }
        }
        y.append("tls:\n  ca-cert: ")
                .append(pki.ca())
                .append("\n  node-cert: ")
                .append(pki.dir)
                .append("/{id}.pem\n")
                .append("  node-key: ")
                .append(pki.dir)
                .append("/{id}-key.pem\n")
                .append("limits:\n  max-vips: ")
                .append(maxVips)
                .append("\n  max-reals: 64\n");
        if (!limitsYaml.isEmpty()) {
            y.append(limitsYaml).append("\n");
        }
        this.configFile = work.resolve("fleet.yaml");
        Files.writeString(configFile, y.toString());
        this.config = FleetConfigLoader.load(configFile);
    }

    /** Options for one node's agent beyond the test defaults (not attached, quick retries). */
    AgentFleet options(String id, UnaryOperator<LbAgentBuilder> more) {
        options.put(id, more);
        return this;
    }

    /** Starts every node (each start returns once its servers listen), then waits until all are ready. */
    AgentFleet startAll(Duration timeout) throws Exception {
        for (String id : ids) {
            start(id);
        }
        awaitReady(timeout);
        return this;
    }

    LbAgent start(String id) {
        LbAgentBuilder b = LbAgent.builder(config, id)
                .attach(false)
                .leaderWait(Duration.ofSeconds(3))
                .progressInterval(Duration.ofMillis(20))
                .peerDownAfter(Duration.ofSeconds(2))
                .programmingRetry(Duration.ofMillis(500))
                .routeHook(Duration.ofSeconds(5), Duration.ofMillis(500));
        b = options.getOrDefault(id, UnaryOperator.identity()).apply(b);
        LbAgent agent = b.build().start();
        agents.put(id, agent);
        return agent;
    }

    /** SIGTERM-equivalent stop: the agent's close (pins, attachments and data stay). */
    void stop(String id) {
        LbAgent a = agents.remove(id);
        if (a != null) {
            a.close();
        }
    }

    LbAgent agent(String id) {
        LbAgent a = agents.get(id);
        if (a == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return a;
    }

    List<LbAgent> running() {
        return new ArrayList<>(agents.values());
    }

    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (LbAgent a : running()) {
            while (!a.ready()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(a.nodeId() + " not ready within " + timeout + " (start index "
                            + a.startIndex() + ", programmed " + a.pipeline().programmedIndex() + ", error "
                            + a.pipeline().error() + ")");
                }
                Thread.sleep(20);
            }
        }
    }

    /** Until every running agent programmed {@code index}. */
    void awaitProgrammed(long index, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (LbAgent a : running()) {
            while (a.pipeline().programmedIndex() < index) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(a.nodeId() + " did not program index " + index + " within " + timeout
                            + " (programmed " + a.pipeline().programmedIndex() + ", error "
                            + a.pipeline().error() + ")");
                }
                Thread.sleep(5);
            }
        }
    }

    /** The highest applied index among running agents. */
    long appliedIndex() {
        return running().stream().mapToLong(a -> a.image().index()).max().orElse(0);
    }

    ControlServiceGrpc.ControlServiceBlockingStub control(String id, String cert) throws Exception {
        return ControlServiceGrpc.newBlockingStub(channel(id, cert)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    KatranServiceGrpc.KatranServiceBlockingStub katran(String id, String cert) throws Exception {
        return KatranServiceGrpc.newBlockingStub(channel(id, cert)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    String target(String id) {
        return "127.0.0.1:" + apiPorts.get(id);
    }

    private synchronized ManagedChannel channel(String id, String cert) throws Exception {
        ManagedChannel c = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", apiPorts.get(id), pki.material(cert).apiClientCredentials())
                .build();
        channels.add(c);
        return c;
    }

    /** GET on a node's HTTP endpoint. */
    HttpResponse<String> get(String id, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPorts.get(id) + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Distinct free loopback ports (all held open until every one is found). */
    static int[] freePorts(int n) throws IOException {
        return io.ringfleet.agent.TestPorts.free(n);
    }

    @Override
    public void close() {
        synchronized (this) {
            channels.forEach(ManagedChannel::shutdownNow);
        }
        for (String id : new ArrayList<>(agents.keySet())) {
            try {
                stop(id);
            } catch (RuntimeException e) {
                // best effort
            }
        }
        deleteTree(pins);
        deleteTree(work);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
