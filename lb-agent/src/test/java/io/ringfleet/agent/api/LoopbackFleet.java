package io.ringfleet.agent.api;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.ringfleet.agent.fleet.RaftFleetGateway;
import io.ringfleet.agent.rings.RingView;
import io.ringfleet.agent.security.RateLimitedLog;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.TlsMaterial;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.katran.KatranServiceGrpc;
import io.ringfleet.config.HostPort;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.raft.FleetClient;
import io.ringfleet.state.raft.FleetNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * A real fleet in this JVM: N agents lb1..lbN, each a Ratis peer (gRPC over loopback, mutual TLS with its
 * node certificate, storage on disk), a FleetClient, a {@link RaftFleetGateway}, fleet progress polled from
 * the other agents' APIs, and its API server over mutual TLS. There is no datapath here: each node's
 * programmed index is its applied index (what a node without a datapath reports).
 */
public final class LoopbackFleet implements AutoCloseable {
    /** One agent. */
    public final class Agent {
        public final String id;
        final FleetNode node;
        final FleetClient client;
        final RaftFleetGateway gateway;
        final PeerApiStatus peers;
        final PolledFleetProgress progress;
        final ApiServer api;
        boolean running = true;

        Agent(
                String id,
                FleetNode node,
                FleetClient client,
                RaftFleetGateway gateway,
                PeerApiStatus peers,
                PolledFleetProgress progress,
                ApiServer api) {
            this.id = id;
            this.node = node;
            this.client = client;
            this.gateway = gateway;
            this.peers = peers;
            this.progress = progress;
            this.api = api;
        }

        public String target() {
            return "127.0.0.1:" + apiPorts.get(id);
        }

        public FleetNode node() {
            return node;
        }

        /** Stops the agent: API, progress, gateway, client, Raft peer (its disk stays). */
        public void stop() throws Exception {
            if (!running) {
                return;
            }
            running = false;
            api.close();
            progress.close();
            peers.close();
            gateway.close();
            client.close();
            node.close();
        }
    }

    public final TestPki pki;
    /** Every refused Raft handshake, "node: line", as each node's refusal log wrote it (no rate limit here). */
    public final List<String> raftRefusals = Collections.synchronizedList(new ArrayList<>());

    private final Map<String, Integer> raftPorts = new LinkedHashMap<>();
    private final Map<String, Integer> apiPorts = new LinkedHashMap<>();
    private final Map<String, Agent> agents = new TreeMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final RaftGroup group;

    private LoopbackFleet(TestPki pki, int size) throws IOException {
        this.pki = pki;
        for (int i = 1; i <= size; i++) {
            raftPorts.put("lb" + i, freePort());
            apiPorts.put("lb" + i, freePort());
        }
        Map<String, String> peers = new LinkedHashMap<>();
        raftPorts.forEach((id, port) -> peers.put(id, "127.0.0.1:" + port));
        this.group = FleetNode.group(FleetNode.DEFAULT_GROUP_ID, peers);
    }

    /** Starts {@code size} agents (at most 3: the test PKI has lb1..lb3) and waits for a leader. */
    public static LoopbackFleet start(TestPki pki, int size, Path storage) throws Exception {
        LoopbackFleet fleet = new LoopbackFleet(pki, size);
        try {
            for (String id : fleet.raftPorts.keySet()) {
                fleet.agents.put(id, fleet.startAgent(id, storage.resolve(id)));
            }
            fleet.awaitLeader(Duration.ofSeconds(30));
        } catch (Exception e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    private Agent startAgent(String id, Path dir) throws Exception {
        Files.createDirectories(dir);
        TlsMaterial tls = pki.material(id);
        Map<String, String> peers = new LinkedHashMap<>();
        raftPorts.forEach((p, port) -> peers.put(p, "127.0.0.1:" + port));
        PolledFleetProgress[] progressRef = new PolledFleetProgress[1];
        FleetPublisher programmed = (delta, image) -> {
            if (progressRef[0] != null) {
                progressRef[0].localChanged();
            }
        };
        FleetNode node = FleetNode.builder()
                .peerId(id)
                .peers(peers)
                .storageDir(dir)
                .tls(tls.raftTlsConfig(raftHosts(), refusalLog(id)))
                .publisher(programmed)
                .build();
        node.start();
        FleetClient client = FleetClient.builder(group)
                .tls(tls.raftTlsConfig(raftHosts(), refusalLog(id)))
                .leaderHint(RaftPeerId.valueOf(id))
                .maxAttempts(50)
                .retrySleepMs(50)
                .requestTimeoutMs(5000)
                .build();
        Map<String, HostPort> apiAddresses = new TreeMap<>();
        apiPorts.forEach((p, port) -> apiAddresses.put(p, new HostPort("127.0.0.1", port)));
        PeerApiStatus peerStatus = new PeerApiStatus(apiAddresses, tls.apiClientCredentials());
        RingView rings = new RingView(FleetLimits.RING_SIZE); // no datapath: the rings of the applied images
        RaftFleetGateway gateway = RaftFleetGateway.builder(node, client)
                .peers(peerStatus)
                .rings(rings)
                .build();
        List<String> others = new ArrayList<>(raftPorts.keySet());
        others.remove(id);
        PolledFleetProgress progress = new PolledFleetProgress(
                id,
                () -> node.stateMachine().image().index(),
                others,
                peerStatus,
                Duration.ofMillis(20),
                Duration.ofSeconds(1));
        progressRef[0] = progress;
        ApiServer api = ApiServer.builder()
                .address(new InetSocketAddress("127.0.0.1", apiPorts.get(id)))
                .tls(tls)
                .gateway(gateway)
                .progress(progress)
                .rings(rings)
                .build()
                .start();
        progress.start();
        return new Agent(id, node, client, gateway, peerStatus, progress, api);
    }

    /** A refusal log of node {@code id} that keeps every line in {@link #raftRefusals}. */
    public RateLimitedLog refusalLog(String id) {
        return new RateLimitedLog(line -> raftRefusals.add(id + ": " + line), Duration.ZERO, System::nanoTime);
    }

    static int freePort() throws IOException {
        return io.ringfleet.agent.TestPorts.free();
    }

    public RaftGroup group() {
        return group;
    }

    /** Every peer's id and Raft host (all on loopback): what the Raft transport admits. */
    public Map<String, String> raftHosts() {
        Map<String, String> hosts = new LinkedHashMap<>();
        raftPorts.keySet().forEach(id -> hosts.put(id, "127.0.0.1"));
        return hosts;
    }

    /** Each peer's id and Raft address ("127.0.0.1:port"). */
    public Map<String, String> raftAddresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        raftPorts.forEach((id, port) -> addresses.put(id, "127.0.0.1:" + port));
        return addresses;
    }

    public Agent agent(String id) {
        return agents.get(id);
    }

    public List<Agent> agents() {
        return new ArrayList<>(agents.values());
    }

    public String leaderId() {
        for (Agent a : agents.values()) {
            if (a.running && a.node.isLeader()) {
                return a.id;
            }
        }
        return null;
    }

    public void awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (leaderId() == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no leader elected within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    public ControlServiceGrpc.ControlServiceBlockingStub control(String agent, String cert) throws Exception {
        return ControlServiceGrpc.newBlockingStub(channel(agent, cert)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    public KatranServiceGrpc.KatranServiceBlockingStub katran(String agent, String cert) throws Exception {
        return KatranServiceGrpc.newBlockingStub(channel(agent, cert)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private synchronized ManagedChannel channel(String agent, String cert) throws Exception {
        ManagedChannel c = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", apiPorts.get(agent), pki.material(cert).apiClientCredentials())
                .build();
        channels.add(c);
        return c;
    }

    @Override
    public void close() {
        synchronized (this) {
            channels.forEach(ManagedChannel::shutdownNow);
        }
        for (Agent a : agents.values()) {
            try {
                a.stop();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
