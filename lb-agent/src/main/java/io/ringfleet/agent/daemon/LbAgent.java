package io.ringfleet.agent.daemon;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringfleet.agent.api.ApiServer;
import io.ringfleet.agent.api.DatapathStatsSource;
import io.ringfleet.agent.api.PeerApiStatus;
import io.ringfleet.agent.api.PolledFleetProgress;
import io.ringfleet.agent.datapath.BalancerDatapath;
import io.ringfleet.agent.datapath.BalancerVariant;
import io.ringfleet.agent.datapath.DatapathConfig;
import io.ringfleet.agent.datapath.DatapathStats;
import io.ringfleet.agent.datapath.MapProgrammer;
import io.ringfleet.agent.datapath.XdpTarget;
import io.ringfleet.agent.explain.FleetFlowExplainer;
import io.ringfleet.agent.explain.KernelConnTable;
import io.ringfleet.agent.explain.NodeFlowExplainer;
import io.ringfleet.agent.explain.ProgrammedState;
import io.ringfleet.agent.fleet.FleetSettingsSeed;
import io.ringfleet.agent.fleet.LoggedRaftTimings;
import io.ringfleet.agent.fleet.RaftFleetGateway;
import io.ringfleet.agent.fleet.SelfMembership;
import io.ringfleet.agent.fleet.SettingsMismatch;
import io.ringfleet.agent.health.AgentHealth;
import io.ringfleet.agent.health.GatewayVerdictWriter;
import io.ringfleet.agent.health.HealthProber;
import io.ringfleet.agent.health.ImageHealthLog;
import io.ringfleet.agent.metrics.DatapathMetrics;
import io.ringfleet.agent.metrics.JvmProcessMetrics;
import io.ringfleet.agent.metrics.ProgrammingMetrics;
import io.ringfleet.agent.metrics.RaftMetrics;
import io.ringfleet.agent.metrics.RingDigestMetrics;
import io.ringfleet.agent.rings.RingView;
import io.ringfleet.agent.security.TlsMaterial;
import io.ringfleet.agent.security.TlsMaterialException;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.config.AttachMode;
import io.ringfleet.config.ConnTable;
import io.ringfleet.config.FleetConfig;
import io.ringfleet.config.HostPort;
import io.ringfleet.config.LocalNode;
import io.ringfleet.config.NodeSettings;
import io.ringfleet.config.PeerConfig;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.raft.FleetClient;
import io.ringfleet.state.raft.FleetNode;
import io.ringfleet.state.raft.FleetStateMachine;
import io.ringfleet.state.raft.RaftTimings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LB host's agent: the fleet log's Ratis peer, the BPF datapath and its map programmer, the gRPC API, the
 * metrics and health endpoint and the route announcer, wired from the fleet config.
 *
 * <p>{@link #start()} in order: read the node's part of the config → TLS material → open the Raft storage dir →
 * open the BPF objects, reusing pinned maps and the pinned (attached) program, so a restart never detaches XDP
 * and never flushes the connection table → attach XDP (standalone, or into xdp_root's slot in shared mode,
 * installing xdp_root if it is missing) and the tc health-check forwarder (standalone only) → start the Ratis
 * server (a voter or a listener, as the config's {@code role} says) with the {@link ProgrammingPipeline} as
 * publisher → API → HTTP endpoint. In the background the agent then takes the commit index seen at start (the
 * larger of the local one and the leader's, if a leader answers within {@code leaderWait}) and releases programming once the log has been replayed that far: the kernel goes
 * from what it held straight to the current image (unchanged entries are not rewritten) and the node is ready
 * when that image is programmed. Routes are announced from then on (see {@link RouteAnnouncer}).
 *
 * <p>{@link #close()} (SIGTERM) stops the servers and the Raft peer and closes file descriptors; XDP, tc, the
 * pinned maps and the connection tables stay, so traffic keeps flowing and the next agent picks them up. Routes
 * are left as they are (an agent restart is not a drain).
 */
public final class LbAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LbAgent.class);
    private static final Duration RAFT_WATCH_INTERVAL = Duration.ofMillis(500);
    /** How often the host's BIRD is read for status and metrics (a few birdc calls each time). */
    private static final Duration SPEAKER_READ_PERIOD = Duration.ofSeconds(2);

    private static final String UPGRADE = "upgrade this node's software";

    private final FleetConfig config;
    private final String nodeId;
    private final LbAgentBuilder options;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    private LocalNode self;
    private TlsMaterial tls;
    private BalancerDatapath datapath;
    private ProgrammingPipeline pipeline;
    private AgentHealth health; // null when this node does not probe
    private RingView rings;
    private FleetNode node;
    private FleetClient client;
    private RaftFleetGateway gateway;
    private PolledFleetProgress progress;
    private ApiServer api;
    private AgentHttpServer http;
    private RouteAnnouncer announcer;
    private Optional<SpeakerMonitor> speaker = Optional.empty();
    private PrometheusMeterRegistry registry;
    private FleetSettingsSeed seed;
    private SettingsMismatch settingsMismatch;
    private DatapathMetrics datapathMetrics;
    private ProgrammingMetrics programmingMetrics;
    private volatile long startIndex = -1;
    private volatile boolean ready;
    private volatile boolean started;
    private volatile boolean closed;
    private Thread catchUp;

    LbAgent(LbAgentBuilder b) {
        this.config = b.config;
        this.nodeId = b.nodeId;
        this.options = b;
    }

    /** An agent for node {@code nodeId} of this fleet config. */
    public static LbAgentBuilder builder(FleetConfig config, String nodeId) {
        return new LbAgentBuilder(config, nodeId);
    }

    /**
     * Starts the agent (see the class comment). On failure everything opened so far is closed again (pins and
     * attachments stay as they were) and the exception says what failed, in one line.
     *
     * @throws AgentException for a failure of this node's setup (TLS files, namespace, datapath, ports, storage)
     */
    public synchronized LbAgent start() {
        if (started) {
            throw new IllegalStateException("agent " + nodeId + " was already started");
        }
        started = true;
        try {
            doStart();
            return this;
        } catch (AgentException e) {
            closeQuietly();
            throw e;
        } catch (RuntimeException | IOException e) {
            closeQuietly();
            throw new AgentException("agent " + nodeId + " did not start: " + oneLine(e), e);
        }
    }

    private void doStart() throws IOException {
        try {
            self = config.self(nodeId);
        } catch (IllegalArgumentException e) {
            throw new AgentException(e.getMessage(), e);
        }
        NodeSettings settings = self.settings();
        // The config only seeds the fleet settings; the log's are in force (FleetSettingsSeed).
        seed = new FleetSettingsSeed(
                FleetSettingsSeed.fromConfig(config, options.supportedFleetVersion), options.supportedFleetVersion);
        config.warnings().forEach(w -> LOG.warn("{}", w));
        checkNamespace(settings);
        loadTls();
        if (options.rejoin) {
            leaveAndClear(settings);
        }
        Path dataDir = prepareDataDir(settings);
        openDatapath(settings);
        startProgramming(settings);
        long localCommit = startRaft(dataDir);
        startApi();
        startHttp(settings);
        watchRaft();
        catchUp = new Thread(() -> joinThenCatchUp(localCommit), "agent-start-" + nodeId);
        catchUp.setDaemon(true);
        catchUp.start();
    }

    /**
     * The first half of a rejoin: out of the Raft configuration (through the leader, with a client of our own:
     * nothing of this node runs yet), then this node's old state wiped. The order matters: a member cleared in
     * place would vote and ack with an empty log.
     */
    private void leaveAndClear(NodeSettings settings) throws IOException {
        try (FleetClient leaving = raftClient(configuredGroup(), null)) {
            LOG.info("{}: rejoin: {}", nodeId, membership(leaving).leaveIfMember());
        } catch (IOException e) {
            throw new AgentException("rejoin: " + oneLine(e) + "; nothing was cleared", e);
        }
        Runnable clear = () -> RejoinReset.clear(settings).forEach(line -> LOG.info("{}: rejoin: {}", nodeId, line));
        if (options.attachNamespace != null) {
            options.attachNamespace.run(clear);
        } else {
            clear.run();
        }
    }

    private SelfMembership membership(FleetClient c) {
        return new SelfMembership(c, nodeId, options.membershipWait);
    }

    /** The fleet config's Raft group: every peer in its configured role. */
    private RaftGroup configuredGroup() {
        Map<String, String> voters = new LinkedHashMap<>();
        Map<String, String> listeners = new LinkedHashMap<>();
        for (PeerConfig p : config.peers()) {
            (p.isVoter() ? voters : listeners).put(p.id(), p.raftAddress().toString());
        }
        return FleetNode.group(FleetNode.groupIdOf(config.fleetId()), voters, listeners);
    }

    private FleetClient raftClient(RaftGroup group, RaftPeerId leaderHint) {
        // Bounded by time, not attempts: a write sent while the leader is lost waits for the election (20 s stays
        // inside lbctl's default 30 s deadline, so the operator reads the fleet's answer, not a client timeout).
        FleetClient.Builder cb = FleetClient.builder(group)
                .maxAttempts(1000)
                .retrySleepMs(50)
                .requestTimeoutMs(5000)
                .writeTimeoutMs(20_000);
        if (leaderHint != null) {
            cb.leaderHint(leaderHint);
        }
        if (tls != null) {
            cb.tls(tls.raftTlsConfig(raftHosts()));
        }
        return cb.build();
    }

    /**
     * Stops the agent with one line if the Raft server stops under it (e.g. a leader told this peer, which it no
     * longer counts as a member, to shut down): a process without its Raft peer serves a frozen image.
     */
    private void watchRaft() {
        Thread watcher = new Thread(
                () -> {
                    while (!closed) {
                        Optional<String> why = halted().or(this::raftServerStopped);
                        if (!closed && why.isPresent()) {
                            LOG.error("{}", why.get());
                            options.onRaftStopped.accept(why.get());
                            return;
                        }
                        try {
                            Thread.sleep(RAFT_WATCH_INTERVAL.toMillis());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "agent-raft-watch-" + nodeId);
        watcher.setDaemon(true);
        watcher.start();
        closeables.push(watcher::interrupt);
    }

    /**
     * Why this node's state machine stopped applying the log (an entry of a fleet version above this software's,
     * or an unknown command kind), if it did. Checked before the Raft server's state: Ratis closes the server
     * when the apply fails, and the reason to give is the halt, not the closed server. The XDP program keeps
     * forwarding with the last programmed maps, so the process may exit.
     */
    private Optional<String> halted() {
        FleetStateMachine sm = node.stateMachine();
        // The halting entry is the one after the last applied: entries are applied one at a time, in order.
        return sm.halted()
                .map(reason -> "stopped applying the log at index "
                        + (sm.image().index() + 1) + ": " + reason + (reason.contains(UPGRADE) ? "" : "; " + UPGRADE));
    }

    private Optional<String> raftServerStopped() {
        LifeCycle.State state = node.raftState();
        if (state.isClosingOrClosed() || state == LifeCycle.State.EXCEPTION) {
            return Optional.of("the Raft server of " + nodeId + " stopped (" + state + ") while the agent ran; if it"
                    + " was removed from the fleet, restart it with --rejoin");
        }
        return Optional.empty();
    }

    private void loadTls() {
        boolean plaintext = config.tls().isPlaintext();
        if (plaintext && !options.plaintextAllowed) {
            throw new AgentException(config.source() + " sets tls: plaintext: true; start with --plaintext-insecure to"
                    + " run Raft and the API without TLS (test networks only)");
        }
        if (plaintext) {
            LOG.warn(
                    "{}: PLAINTEXT: Raft and the API run without TLS; every API caller is an operator. Test networks"
                            + " only.",
                    nodeId);
            return;
        }
        config.tls()
                .credentials(nodeId)
                .ifPresent(c -> OwnedPaths.ofThisProcess().ownFile(c.key(), "node key (tls.node-key)"));
        try {
            tls = TlsMaterial.forNode(config.tls(), nodeId);
        } catch (TlsMaterialException e) {
            throw new AgentException(e.getMessage(), e);
        }
    }

    private static Path prepareDataDir(NodeSettings settings) {
        Path dataDir = settings.dataDir();
        OwnedPaths.ofThisProcess().ownDirectory(dataDir, "data dir (data-dir)");
        if (!Files.isWritable(dataDir)) {
            throw new AgentException("the data dir " + dataDir + " is not writable");
        }
        return dataDir;
    }

    private void openDatapath(NodeSettings settings) {
        OwnedPaths.ofThisProcess().ownDirectory(settings.pinDir(), "pin dir (pin-dir)");
        datapath = BalancerDatapath.open(datapathConfig(settings));
        closeables.push(datapath);
        LOG.info("{}: datapath open: {}", nodeId, datapath);
        if (datapath.healthCheckSourcesWritten()) {
            LOG.info(
                    "{}: health-check sources written to hc_ctl: v4 {}, v6 {}",
                    nodeId,
                    settings.healthCheckSourceV4().map(a -> a.getHostAddress()).orElse("none"),
                    settings.healthCheckSourceV6().map(a -> a.getHostAddress()).orElse("none"));
        }
        if (options.attach) {
            attach(settings);
        } else {
            LOG.warn(
                    "{}: not attaching the balancer (attach disabled): its maps are programmed, no traffic reaches it",
                    nodeId);
        }
    }

    /** The map programmer behind its pipeline, the metrics registry and the route announcer. */
    private void startProgramming(NodeSettings settings) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", nodeId, "fleet", config.fleetId());
        closeables.push(registry::close);
        rings = new RingView(DatapathConfig.RING_SIZE);
        MapProgrammer programmer = MapProgrammer.builder(datapath)
                .rings(rings)
                .defaultGatewayMac(settings.gatewayMac())
                .onProgrammed(r -> programmingMetrics.programmed(r))
                .build();
        pipeline = new ProgrammingPipeline(nodeId, programmer, options.programmingRetry);
        closeables.push(pipeline);
        programmingMetrics = new ProgrammingMetrics(registry, pipeline::programmedIndex, pipeline::failures);
        datapathMetrics = new DatapathMetrics(registry, new DatapathStats(datapath), Duration.ofMillis(500));
        announcer = new RouteAnnouncer(nodeId, settings.routeHook(), options.hookTimeout, options.hookRetry);
        closeables.push(announcer);
        speaker = settings.birdSocket().map(socket -> new SpeakerMonitor(nodeId, socket, SPEAKER_READ_PERIOD));
        speaker.ifPresent(closeables::push);
    }

    /** The Ratis peer (voter or listener) publishing to the pipeline; returns its local commit index. */
    private long startRaft(Path dataDir) throws IOException {
        Map<String, String> raftVoters = new LinkedHashMap<>();
        Map<String, String> raftListeners = new LinkedHashMap<>();
        for (PeerConfig p : config.peers()) {
            (p.isVoter() ? raftVoters : raftListeners)
                    .put(p.id(), p.raftAddress().toString());
        }
        FleetLimits limits = self.limits();
        LOG.info("{}: fleet limits {}", nodeId, limits);
        RaftTimings timings = startTimings(dataDir);
        settingsMismatch = new SettingsMismatch(nodeId, seed, timings);
        FleetNode.Builder nb = FleetNode.builder()
                .groupId(FleetNode.groupIdOf(config.fleetId()))
                .timings(timings)
                .joining(options.rejoin)
                .peerId(nodeId)
                .peers(raftVoters)
                .listeners(raftListeners)
                .storageDir(dataDir)
                .supportedFleetVersion(options.supportedFleetVersion)
                .publisher(pipeline)
                .publisher(new io.ringfleet.agent.metrics.FleetVerdictMetrics(registry))
                .onLogFailed(reason -> logFailed(reason, dataDir));
        if (followsLoggedTimings()) {
            nb.publisher(new LoggedRaftTimings(dataDir));
        }
        if (tls != null) {
            nb.tls(tls.raftTlsConfig(raftHosts()));
        }
        node = nb.build();
        closeables.push(node);
        node.start();
        long localCommit = commitIndex();
        LOG.info(
                "{}: Raft {} started on {} (local commit index {})",
                nodeId,
                node.isListener() ? "listener" : "voter",
                self.peer().raftAddress(),
                localCommit);
        return localCommit;
    }

    private void logFailed(String reason, Path dataDir) {
        String why = reason + " on " + nodeId + "; stopped at once so that it acknowledges nothing it has not"
                + " written: free space in " + dataDir + " and start it again";
        LOG.error("{}", why);
        (options.onLogFailed != null ? options.onLogFailed : options.onRaftStopped).accept(why);
    }

    /**
     * The Raft timings to start with: the fleet settings' as this node last applied them (Ratis takes timings only
     * at start, before the log is read), else the config's {@code raft} section, which seeds the bootstrap.
     */
    private RaftTimings startTimings(Path dataDir) {
        RaftTimings fromConfig = config.raftTimings();
        RaftTimings timings = followsLoggedTimings() ? LoggedRaftTimings.forStart(dataDir, fromConfig) : fromConfig;
        LOG.info(
                "{}: Raft timings {} (from {})",
                nodeId,
                timings,
                timings.equals(fromConfig) ? "the config's raft section" : "the fleet settings in the log");
        return timings;
    }

    /** Software of a fleet version with Raft timings in the settings ({@link FleetVersions.Rule#RAFT_TIMINGS}). */
    private boolean followsLoggedTimings() {
        return options.supportedFleetVersion >= FleetVersions.Rule.RAFT_TIMINGS.version();
    }

    /** Every peer's id and Raft host: the only certificates the Raft transport accepts. */
    private Map<String, String> raftHosts() {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (PeerConfig p : config.peers()) {
            hosts.put(p.id(), p.raftAddress().host());
        }
        return hosts;
    }

    /** The Ratis client, the peers' status, fleet progress and the gRPC API; wires the pipeline's listener. */
    private void startApi() throws IOException {
        Map<String, HostPort> apiAddresses = new TreeMap<>();
        List<String> others = new ArrayList<>();
        for (PeerConfig p : config.peers()) {
            apiAddresses.put(p.id(), p.apiAddress());
            if (!p.id().equals(nodeId)) {
                others.add(p.id());
            }
        }
        client = raftClient(node.group(), RaftPeerId.valueOf(nodeId));
        closeables.push(client);
        ChannelCredentials peerCredentials =
                tls != null ? tls.apiClientCredentials() : InsecureChannelCredentials.create();
        PeerApiStatus peers = new PeerApiStatus(apiAddresses, peerCredentials);
        closeables.push(peers);
        gateway = RaftFleetGateway.builder(node, client)
                .peers(peers)
                .programmedIndex(pipeline::programmedIndex)
                .localStatus(this::statusExtras)
                .seed(seed)
                .build();
        closeables.push(gateway);
        progress = new PolledFleetProgress(
                nodeId,
                pipeline::programmedIndex,
                others,
                peers,
                options.progressInterval,
                idleInterval(),
                options.peerDownAfter);
        closeables.push(progress);
        pipeline.addListener((image, report, lagNanos) -> {
            progress.localChanged();
            settingsMismatch.check(image);
            programmingMetrics.lag(lagNanos);
            datapathMetrics.follow(image);
            long target = startIndex;
            if (!ready && target >= 0 && image.index() >= target) {
                ready = true;
                LOG.info("{}: ready: programmed index {} >= commit index at start {}", nodeId, image.index(), target);
            }
            announcer.update(image, ready);
        });
        startHealth();

        ApiServer.Builder ab = ApiServer.builder()
                .address(socketAddress(self.peer().apiAddress()))
                .gateway(gateway)
                .progress(progress)
                .rings(rings)
                .defaultGatewayMac(self.settings().gatewayMac())
                .stats(new DatapathStatsSource(new DatapathStats(datapath)))
                .explain(flowExplainer(apiAddresses, peers))
                .limits(options.apiLimits);
        if (tls != null) {
            ab.tls(tls);
        } else {
            ab.plaintext();
        }
        api = ab.build().start();
        closeables.push(api);
        progress.start();
    }

    /**
     * ExplainFlow: this node answers from what its kernel holds (the programmed image, its kept rings, the kernel's
     * connection table), read on a thread of its own; the other peers are asked through their APIs.
     */
    private FleetFlowExplainer flowExplainer(Map<String, HostPort> apiAddresses, PeerApiStatus peers) {
        ExecutorService kernelReads = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ringfleet-explain");
            t.setDaemon(true);
            return t;
        });
        closeables.push(kernelReads::shutdownNow);
        NodeFlowExplainer local = new NodeFlowExplainer(
                nodeId,
                () -> pipeline.programmed().map(p -> new ProgrammedState(p.index(), p.image(), rings.of(p.image()))),
                new KernelConnTable(datapath),
                System::nanoTime);
        return new FleetFlowExplainer(local, List.copyOf(apiAddresses.keySet()), peers::explain, kernelReads);
    }

    private void startHttp(NodeSettings settings) throws IOException {
        registerAgentMeters();
        http = new AgentHttpServer(
                        socketAddress(settings.metricsAddress()),
                        registry::scrape,
                        this::health,
                        this::readiness,
                        options.httpLimits)
                .start();
        closeables.push(http);
        LOG.info("{}: metrics and health on http://{}/metrics, /healthz, /readyz", nodeId, settings.metricsAddress());
    }

    /** The idle poll interval, kept between the busy interval and the peer timeout (tests shorten those). */
    private Duration idleInterval() {
        Duration idle = options.progressIdleInterval;
        idle = idle.compareTo(options.peerDownAfter) > 0 ? options.peerDownAfter : idle;
        return idle.compareTo(options.progressInterval) < 0 ? options.progressInterval : idle;
    }

    private DatapathConfig datapathConfig(NodeSettings settings) {
        // the node's balancer build (plain or second chance): before this was read here, the agent loaded the
        // plain balancer whatever the config said (found by FlowSurvivalTest: 0 second-chance frames)
        DatapathConfig.Builder b = DatapathConfig.builder()
                .variant(BalancerVariant.of(settings.balancer()))
                .maxVips(self.limits().maxVips())
                .maxReals(self.limits().maxReals())
                .ringSize(self.limits().ringSize())
                .pinDir(settings.pinDir())
                .healthCheck(options.healthCheck)
                .healthCheckSources(
                        settings.healthCheckSourceV4().orElse(null),
                        settings.healthCheckSourceV6().orElse(null));
        if (options.fallbackConnTableOnly || settings.connTable() == ConnTable.SHARED) {
            b.fallbackConnTableOnly();
        } else {
            b.perCpuConnTables(settings.lruSize(), settings.forwardingCpus().ids());
        }
        return b.build();
    }

    private void attach(NodeSettings settings) {
        Runnable attach = () -> {
            XdpTarget target = XdpTarget.of(settings);
            if (settings.attachMode() == AttachMode.SHARED) {
                LOG.info(
                        "{}: {}",
                        nodeId,
                        SharedXdpRoot.ensure(
                                settings.rootArrayPin().orElseThrow(), settings.interfaceName(), settings.xdpMode()));
            }
            datapath.attach(target);
            LOG.info(
                    "{}: balancer program id {} {} on {}",
                    nodeId,
                    datapath.program().id(),
                    datapath.programReused() ? "(reused, never detached)" : "(new)",
                    target);
            if (settings.attachMode() == AttachMode.STANDALONE && options.healthCheck) {
                datapath.attachHealthCheck(settings.interfaceName());
                LOG.info(
                        "{}: health-check forwarder id {} on {} egress",
                        nodeId,
                        datapath.healthCheckProgram().orElseThrow().id(),
                        settings.interfaceName());
            }
        };
        if (options.attachNamespace != null) {
            options.attachNamespace.run(attach);
        } else {
            attach.run();
        }
    }

    /**
     * Probing and verdict reports (issue 11), fed by the programmed images. Off where a probe's SO_MARK would not
     * reach its real: without the tc forwarder (shared attach, not attached, not loaded) or when the datapath is
     * attached in another namespace than the agent's threads run in.
     */
    private void startHealth() {
        String off = healthOff();
        if (off != null) {
            LOG.info("{}: health probing off: {}", nodeId, off);
            return;
        }
        try {
            health = new AgentHealth(
                    nodeId,
                    new ImageHealthLog(),
                    new GatewayVerdictWriter(gateway, Clock.systemUTC()),
                    HealthProber.builder(change -> {}).registry(registry));
        } catch (IllegalStateException e) { // Netty's epoll transport cannot load: this node does not vote
            LOG.error("{}: health probing off: {}", nodeId, e.getMessage());
            return;
        }
        closeables.push(health);
        pipeline.addListener((image, report, lagNanos) -> health.imageProgrammed(image));
        io.micrometer.core.instrument.Gauge.builder(
                        "ringfleet.health.asymmetric.pairs", health, AgentHealth::asymmetricPairs)
                .description("checked pairs whose vote here has differed from the fleet's verdict for longer"
                        + " than fall x interval (this LB alone cannot reach them, or alone reaches them)")
                .register(registry);
    }

    private String healthOff() {
        if (!options.healthProbing) {
            return "disabled";
        }
        if (!options.healthCheck || !options.attach || self.settings().attachMode() != AttachMode.STANDALONE) {
            return "no health-check forwarder attached (standalone attach with the forwarder needed)";
        }
        return options.attachNamespace != null ? "the datapath is in another network namespace" : null;
    }

    /**
     * A rejoining node first asks the leader to add it (the leader catches it up, from the log or a snapshot,
     * before the change commits) and waits until its Raft peer runs as a member; then, as any node, it takes the
     * commit index seen at start.
     */
    private void joinThenCatchUp(long localCommit) {
        if (options.rejoin) {
            try {
                LOG.info("{}: rejoin: {}", nodeId, membership(client).join());
                awaitMember();
            } catch (IOException e) {
                if (!closed) {
                    String why = "rejoin of " + nodeId + " failed: " + oneLine(e);
                    LOG.error("{}", why);
                    options.onRaftStopped.accept(why);
                }
                return;
            }
        }
        catchUp(localCommit);
    }

    /** Until this peer's Raft division runs (Ratis moves it from STARTING once a member's append arrives). */
    private void awaitMember() throws IOException {
        long end = System.nanoTime() + options.membershipWait.toNanos();
        while (node.raftState() != LifeCycle.State.RUNNING) {
            if (closed || System.nanoTime() > end) {
                throw new IOException("added to the configuration, but the Raft peer is still " + node.raftState()
                        + " after " + options.membershipWait.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to become a member");
            }
        }
        LOG.info("{}: rejoin: a member again (Raft peer running, applied index {})", nodeId, image().index());
    }

    /** The commit index seen at start: the local one, or the leader's applied index if a leader answers in time. */
    private void catchUp(long localCommit) {
        long target = localCommit;
        try {
            long leader = CompletableFuture.supplyAsync(() -> {
                        try {
                            return client.status().getAppliedIndex();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .get(options.leaderWait.toMillis(), TimeUnit.MILLISECONDS);
            target = Math.max(target, leader);
        } catch (Exception e) {
            if (closed) {
                return;
            }
            LOG.warn(
                    "{}: no leader answered within {} ms ({}); ready once the local commit index {} is programmed",
                    nodeId,
                    options.leaderWait.toMillis(),
                    oneLine(e),
                    localCommit);
        }
        startIndex = Math.max(target, 0);
        LOG.info("{}: programming released at index {} (commit index seen at start)", nodeId, startIndex);
        pipeline.release(startIndex, node.stateMachine().image());
        // After the release (a slow write must not hold programming back), against the replayed image.
        submitStartCommands();
    }

    /**
     * The config seeds the first bootstrap and this software reports its fleet version (edge-triggered); both are
     * no-ops in the log when already there. A failure is logged: the first API write still carries the bootstrap.
     */
    private void submitStartCommands() {
        List<io.ringfleet.api.Command> commands =
                seed.startCommands(node.stateMachine().image(), nodeId);
        if (commands.isEmpty()) {
            return;
        }
        io.ringfleet.api.CommandBatch batch = io.ringfleet.api.CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal("agent:" + nodeId)
                .setViaNode(nodeId)
                .setTimestampMillis(System.currentTimeMillis())
                .setRequestId("start-" + nodeId)
                .build();
        try {
            io.ringfleet.api.BatchReply reply = client.submit(batch);
            LOG.info(
                    "{}: start commands (settings bootstrap if absent, fleet version {}): {} {}",
                    nodeId,
                    seed.supportedVersion(),
                    reply.getCode(),
                    reply.getMessage());
        } catch (IOException e) {
            LOG.warn(
                    "{}: start commands not confirmed ({}); the first API write carries the bootstrap",
                    nodeId,
                    oneLine(e));
        }
    }

    private long commitIndex() {
        try {
            return Math.max(
                    0,
                    node.server()
                            .getDivision(node.group().getGroupId())
                            .getRaftLog()
                            .getLastCommittedIndex());
        } catch (IOException e) {
            return 0;
        }
    }

    private void statusExtras(NodeStatus.Builder b) {
        FleetImage applied = node.stateMachine().image();
        applied.settings().settings().ifPresent(s -> b.setSettingsDigest(ByteString.copyFrom(s.digest())));
        b.setFleetVersion(applied.settings().fleetVersion());
        AgentHealth probing = health;
        if (probing != null) {
            b.setHealthPairsProbed(probing.pairsProbed());
            b.setHealthLastReportIndex(Math.max(0, probing.reporter().lastReportIndex()));
        }
        b.setSettingsMismatch(settingsMismatch.check(applied));
        Optional<ProgrammingPipeline.Programmed> programmed = pipeline.programmed();
        b.setProgrammedIndex(Math.max(
                0, programmed.map(ProgrammingPipeline.Programmed::index).orElse(0L)));
        // the programmed image's rings are kept in the ring view: reading their digest builds no ring
        b.setRingsDigest(programmed
                .map(p -> ByteString.copyFrom(rings.of(p.image()).digest()))
                .orElse(ByteString.EMPTY));
        b.setAnnouncing(announcer.announcing());
        SpeakerMonitor.lastOf(speaker).ifPresent(bird -> {
            b.setAnnouncedRoutes((int) Math.min(Integer.MAX_VALUE, bird.announcedRoutes()));
            b.setBgpState(
                    bird.error().map(e -> "unreachable: " + e).or(bird::bgp).orElse(""));
            b.setBfdState(bird.bfd().orElse(""));
        });
        // A replica that cannot apply the log (a fleet version above its software's) says so first.
        String error = node.stateMachine()
                .halted()
                .map(h -> "stopped applying the log: " + h)
                .or(() -> pipeline.error().map(e -> "programming: " + e))
                .or(() -> announcer.lastError())
                .orElse(
                        ready
                                ? ""
                                : "starting: programmed " + pipeline.programmedIndex() + ", commit index at start "
                                        + (startIndex < 0 ? "not known yet" : Long.toString(startIndex)));
        b.setError(error);
    }

    private void registerSpeakerMeters(SpeakerMonitor bird) {
        Gauge.builder(
                        "ringfleet.bgp.established",
                        bird,
                        m -> m.last().bgp().orElse("").equals("Established") ? 1 : 0)
                .strongReference(true)
                .description("1 while the host's BIRD shows its BGP session(s) established")
                .register(registry);
        Gauge.builder("ringfleet.bfd.up", bird, m -> m.last().bfd().orElse("").equals("Up") ? 1 : 0)
                .strongReference(true)
                .description("1 while the host's BIRD shows its BFD session(s) up")
                .register(registry);
        Gauge.builder("ringfleet.routes.announced", bird, m -> m.last().announcedRoutes())
                .strongReference(true)
                .description("routes the host's BIRD exports to its BGP neighbour")
                .register(registry);
        Gauge.builder(
                        "ringfleet.bgp.speaker.reachable",
                        bird,
                        m -> m.last().error().isEmpty() ? 1 : 0)
                .strongReference(true)
                .description("1 while the host's BIRD answers on its control socket (bird-socket)")
                .register(registry);
    }

    private void registerAgentMeters() {
        settingsMismatch.register(registry);
        Gauge.builder("ringfleet.ready", this, a -> a.ready ? 1 : 0)
                .strongReference(true)
                .description("1 once the commit index seen at start is programmed")
                .register(registry);
        Gauge.builder("ringfleet.start.index", this, a -> a.startIndex)
                .strongReference(true)
                .description("the commit index seen at start (-1 until known)")
                .register(registry);
        Gauge.builder(
                        "ringfleet.drained",
                        this,
                        a -> a.node.stateMachine().image().nodes().isDrained(nodeId) ? 1 : 0)
                .strongReference(true)
                .description("1 while the fleet image says this node is drained")
                .register(registry);
        Gauge.builder("ringfleet.announcing", announcer, a -> a.announcing() ? 1 : 0)
                .strongReference(true)
                .description("1 while the last route-hook call that succeeded was an announce")
                .register(registry);
        speaker.ifPresent(this::registerSpeakerMeters);
        FunctionCounter.builder("ringfleet.programming.skipped", pipeline, ProgrammingPipeline::skipped)
                .description("images with the programmed state (Raft's own entries): index moved, nothing run")
                .register(registry);
        FunctionCounter.builder("ringfleet.route.hook.calls", announcer, RouteAnnouncer::calls)
                .description("route-hook calls (announce or withdraw)")
                .register(registry);
        FunctionCounter.builder("ringfleet.route.hook.failures", announcer, RouteAnnouncer::failures)
                .description("route-hook calls that failed (retried on the next change)")
                .register(registry);
        new RaftMetrics(registry, node);
        // the programmed image's rings are kept in the ring view: reading their digest builds no ring
        RingDigestMetrics.register(
                registry,
                () -> pipeline.programmed().map(p -> rings.of(p.image()).digest()));
        closeables.push(JvmProcessMetrics.bindTo(registry));
    }

    private AgentHttpServer.Probe health() {
        if (closed) {
            return new AgentHttpServer.Probe(false, "stopping");
        }
        // the division's state, not the server's: a peer told to shut down closes its division only
        LifeCycle.State state = node.raftState();
        if (state == LifeCycle.State.STARTING && node.isJoining()) {
            return new AgentHttpServer.Probe(true, "Raft peer waiting to be added to the fleet (rejoin)");
        }
        if (state != LifeCycle.State.RUNNING) {
            return new AgentHttpServer.Probe(false, "Raft server " + state);
        }
        return new AgentHttpServer.Probe(
                true,
                "Raft server running, programmed index " + pipeline.programmedIndex()
                        + pipeline.error()
                                .map(e -> ", last programming run failed: " + e)
                                .orElse(""));
    }

    private AgentHttpServer.Probe readiness() {
        long target = startIndex;
        long programmed = pipeline.programmedIndex();
        if (ready) {
            return new AgentHttpServer.Probe(
                    true, "programmed index " + programmed + " >= commit index at start " + target);
        }
        return new AgentHttpServer.Probe(
                false,
                "programmed index " + programmed + ", commit index at start " + (target < 0 ? "not known yet" : target)
                        + pipeline.error()
                                .map(e -> "; programming failed: " + e)
                                .orElse(""));
    }

    private void checkNamespace(NodeSettings settings) {
        Optional<String> netns = settings.netns();
        if (netns.isEmpty() || options.attachNamespace != null) {
            return;
        }
        Path want = netns.get().startsWith("/") ? Path.of(netns.get()) : Path.of("/run/netns", netns.get());
        try {
            Object wantIno = Files.getAttribute(want, "unix:ino");
            Object haveIno = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            if (!wantIno.equals(haveIno)) {
                throw new AgentException(
                        "node " + nodeId + " runs in network namespace " + netns.get() + " (netns in "
                                + config.source() + ") but this process is not in it; start it with: nsenter --net="
                                + want
                                + " lb-agent ... (ip netns exec also works if bpffs is mounted at the pin dir's mount inside it)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new AgentException(
                    "node " + nodeId + " runs in network namespace " + netns.get() + ", which cannot be" + " checked ("
                            + e.getMessage() + "); create it (ip netns add) and start the agent inside it",
                    e);
        }
    }

    private static InetSocketAddress socketAddress(HostPort hp) {
        return new InetSocketAddress(hp.host(), hp.port());
    }

    private static String oneLine(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException
                        || t instanceof CompletionException
                        || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    // ---- accessors ----

    public String nodeId() {
        return nodeId;
    }

    public FleetConfig config() {
        return config;
    }

    public BalancerDatapath datapath() {
        return datapath;
    }

    public ProgrammingPipeline pipeline() {
        return pipeline;
    }

    /** This node's Maglev rings (fed by the programming pipeline). */
    public RingView rings() {
        return rings;
    }

    public FleetNode node() {
        return node;
    }

    public RouteAnnouncer announcer() {
        return announcer;
    }

    /** The gRPC API's bound address. */
    public InetSocketAddress apiAddress() {
        return new InetSocketAddress(self.peer().apiAddress().host(), api.port());
    }

    /** The HTTP endpoint's bound address. */
    /** The gRPC API server (its connection and wait counts). */
    public ApiServer api() {
        return api;
    }

    /** The HTTP endpoint (its connection counts). */
    public AgentHttpServer http() {
        return http;
    }

    public InetSocketAddress httpAddress() {
        return http.address();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Programmed the commit index seen at start. */
    public boolean ready() {
        return ready;
    }

    /** The commit index seen at start; -1 until known. */
    public long startIndex() {
        return startIndex;
    }

    /** This node's image (applied, not necessarily programmed yet). */
    public FleetImage image() {
        return node.stateMachine().image();
    }

    /** Stops everything in reverse order of start; leaves XDP, tc, pins and routes as they are. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closeQuietly();
    }

    private void closeQuietly() {
        closed = true;
        if (catchUp != null) {
            catchUp.interrupt();
        }
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("{}: closing {} failed: {}", nodeId, c.getClass().getSimpleName(), e.toString());
            }
        }
        LOG.info("{}: stopped (XDP, tc, pinned maps and connection tables left in place)", nodeId);
    }

    @Override
    public String toString() {
        return "LbAgent[" + nodeId + ", fleet " + config.fleetId() + "]";
    }
}
