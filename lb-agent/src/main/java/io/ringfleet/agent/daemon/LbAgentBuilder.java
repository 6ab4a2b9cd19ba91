package io.ringfleet.agent.daemon;

import io.ringfleet.agent.api.ApiLimits;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.config.FleetConfig;
import io.ringfleet.state.FleetVersions;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/** Options that are not in the fleet config: how this process runs the node. */
public final class LbAgentBuilder {
    final FleetConfig config;
    final String nodeId;
    boolean plaintextAllowed;
    boolean attach = true;
    NetNs attachNamespace;
    boolean healthCheck = true;
    boolean healthProbing = true;
    boolean fallbackConnTableOnly;
    Duration leaderWait = Duration.ofSeconds(3);
    Duration progressInterval = Duration.ofMillis(20);
    Duration peerDownAfter = Duration.ofSeconds(2);
    Duration progressIdleInterval = Duration.ofMillis(500);
    Duration programmingRetry = Duration.ofSeconds(2);
    Duration hookTimeout = Duration.ofSeconds(30);
    Duration hookRetry = Duration.ofSeconds(10);
    ApiLimits apiLimits = ApiLimits.DEFAULTS;
    AgentHttpServer.Limits httpLimits = AgentHttpServer.Limits.DEFAULTS;
    boolean rejoin;
    Duration membershipWait = Duration.ofSeconds(120);
    Consumer<String> onRaftStopped = reason -> {};
    Consumer<String> onLogFailed;
    int supportedFleetVersion = FleetVersions.SUPPORTED;

    LbAgentBuilder(FleetConfig config, String nodeId) {
        this.config = Objects.requireNonNull(config, "config");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    /** Accept a config with {@code tls: plaintext: true} (lb-agent --plaintext-insecure); refused otherwise. */
    public LbAgentBuilder plaintextAllowed(boolean allowed) {
        this.plaintextAllowed = allowed;
        return this;
    }

    /**
     * Attach nothing: the datapath is loaded and programmed, but no traffic reaches it (in-JVM fleets, or a
     * machine whose interface must not be touched). Default: attach as the config says.
     */
    public LbAgentBuilder attach(boolean attach) {
        this.attach = attach;
        return this;
    }

    /** Attach inside this network namespace (the agent's sockets stay where the process is): tests. */
    public LbAgentBuilder attachNamespace(NetNs namespace) {
        this.attachNamespace = namespace;
        return this;
    }

    /** Load (and, standalone, attach) the tc health-check forwarder; default true. */
    public LbAgentBuilder healthCheck(boolean load) {
        this.healthCheck = load;
        return this;
    }

    /**
     * Probe the (VIP, real) pairs the log's health checks name and report this node's verdicts to the log
     * (issue 11); default true. Only where the tc forwarder carries marked probes to the reals: standalone,
     * attached, forwarder loaded, in the agent's own network namespace.
     */
    public LbAgentBuilder healthProbing(boolean probe) {
        this.healthProbing = probe;
        return this;
    }

    /** Every CPU uses the fallback connection table (as Katran's test mode): conformance fixtures. */
    public LbAgentBuilder fallbackConnTableOnly(boolean fallbackOnly) {
        this.fallbackConnTableOnly = fallbackOnly;
        return this;
    }

    /** How long the start waits for a leader's index before settling for the local commit index; default 3 s. */
    public LbAgentBuilder leaderWait(Duration wait) {
        this.leaderWait = positive("leaderWait", wait);
        return this;
    }

    /** How often the other nodes' programmed indexes are polled (fleet-wide waits); default 20 ms. */
    public LbAgentBuilder progressInterval(Duration interval) {
        this.progressInterval = positive("progressInterval", interval);
        return this;
    }

    /**
     * How often the other nodes are polled while no fleet-wide wait is open (liveness only); default 500 ms, at
     * most {@link #peerDownAfter}.
     */
    public LbAgentBuilder progressIdleInterval(Duration interval) {
        this.progressIdleInterval = positive("progressIdleInterval", interval);
        return this;
    }

    /** A peer silent this long stops holding fleet-wide waits; default 2 s. */
    public LbAgentBuilder peerDownAfter(Duration downAfter) {
        this.peerDownAfter = positive("peerDownAfter", downAfter);
        return this;
    }

    /** Retry of a failed programming run when no new image comes; default 2 s. */
    public LbAgentBuilder programmingRetry(Duration retry) {
        this.programmingRetry = positive("programmingRetry", retry);
        return this;
    }

    /** Route hook: how long one call may run (then it is killed) and the retry of a failed call. */
    public LbAgentBuilder routeHook(Duration timeout, Duration retry) {
        this.hookTimeout = positive("hook timeout", timeout);
        this.hookRetry = positive("hook retry", retry);
        return this;
    }

    /** The gRPC API's connection, keepalive, size and wait limits ({@link ApiLimits#DEFAULTS} unless set). */
    public LbAgentBuilder apiLimits(ApiLimits limits) {
        this.apiLimits = java.util.Objects.requireNonNull(limits, "limits");
        return this;
    }

    /** The HTTP endpoint's connection and timeout limits ({@link AgentHttpServer.Limits#DEFAULTS} unless set). */
    public LbAgentBuilder httpLimits(AgentHttpServer.Limits limits) {
        this.httpLimits = java.util.Objects.requireNonNull(limits, "limits");
        return this;
    }

    /**
     * Rejoin the fleet as a new member (lb-agent --rejoin): leave the Raft configuration if still in it, clear
     * this node's Raft storage, pins and xdp_root slot, start outside the configuration (never campaigning), and
     * ask the leader to add it back; {@code wait} bounds each membership change.
     */
    public LbAgentBuilder rejoin(boolean rejoin, Duration wait) {
        this.rejoin = rejoin;
        this.membershipWait = positive("membership wait", wait);
        return this;
    }

    /**
     * Called once, with one line saying why, if this node's Raft server stops or its state machine stops applying
     * the log (an entry of a fleet version above this software's) while the agent runs.
     */
    public LbAgentBuilder onRaftStopped(Consumer<String> callback) {
        this.onRaftStopped = Objects.requireNonNull(callback, "callback");
        return this;
    }

    /**
     * The fail-stop for a Raft log that cannot be written (a full disk): called once, with one line, on Ratis's log
     * worker thread before the failure is reported; a process halts in it (see {@code FleetStateMachine#onLogFailed}
     * for why it must not run on). Default: the {@link #onRaftStopped} callback.
     */
    public LbAgentBuilder onLogFailed(Consumer<String> failStop) {
        this.onLogFailed = Objects.requireNonNull(failStop, "failStop");
        return this;
    }

    /**
     * The highest fleet version this agent's state machine applies, and the one it seeds and reports: {@link
     * FleetVersions#SUPPORTED} (the default), lower only to run an older node's software in tests.
     */
    public LbAgentBuilder supportedFleetVersion(int version) {
        if (version < FleetVersions.BASE || version > FleetVersions.SUPPORTED) {
            throw new IllegalArgumentException("supported fleet version must be " + FleetVersions.BASE + ".."
                    + FleetVersions.SUPPORTED + ", got " + version);
        }
        this.supportedFleetVersion = version;
        return this;
    }

    static Duration positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be a positive duration, got " + d);
        }
        return d;
    }

    public LbAgent build() {
        return new LbAgent(this);
    }
}
