package io.ringfleet.chaos.health;

import io.ringfleet.agent.cli.LbctlJson;
import io.ringfleet.api.GetRealHealthResponse;
import io.ringfleet.api.RealHealthInfo;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Health checking as an operator sets it up and reads it, through real {@code lbctl} processes on an LB host: the
 * TCP VIP {@code VIP4:echoPort} with every backend as a real, one SO_MARK per backend ({@code lbctl hc add M
 * ADDRESS}, mark M for backend beM), the VIP's check, the fleet's health settings, and {@code lbctl real health}.
 */
public final class HealthLbctl {
    private final Topology topology;
    private final LbAgentFleet fleet;
    private final Consumer<String> log;

    public HealthLbctl(Topology topology, LbAgentFleet fleet, Consumer<String> log) {
        this.topology = topology;
        this.fleet = fleet;
        this.log = log;
    }

    /** The checked VIP as lbctl takes it: {@code 10.200.0.1:8080}. */
    public String vip() {
        return topology.vip4().getHostAddress() + ":" + topology.echoPort();
    }

    /** The checked VIP as the kernel maps describe it ({@code 10.200.0.1:8080/tcp}). */
    public String vipInMaps() {
        return vip() + "/tcp";
    }

    /** Adds the TCP VIP with every backend as a real (weight 1) and maps mark M to backend beM. */
    public void addVipWithMarkedReals(LbNode via) {
        run(via, "vip", "add", "tcp", vip(), "--wait");
        List<String> add = new ArrayList<>(List.of("real", "add", "tcp", vip()));
        for (BackendNode b : topology.backends()) {
            add.add(b.address4().getHostAddress());
        }
        add.add("--wait");
        run(via, add.toArray(String[]::new));
        markBackends(via);
    }

    /** Maps SO_MARK M to backend beM's IPv4 address (what the probes of that real carry). */
    public void markBackends(LbNode via) {
        for (BackendNode b : topology.backends()) {
            run(via, "hc", "add", Integer.toString(b.number()), b.address4().getHostAddress(), "--wait");
        }
    }

    /** Sets the VIP's TCP check on the echo port. */
    public void setCheck(LbNode via, CheckTiming timing) {
        run(
                via,
                "vip",
                "health-check",
                "set",
                "tcp",
                vip(),
                "--port",
                Integer.toString(topology.echoPort()),
                "--interval",
                timing.intervalMillis() + "ms",
                "--probe-timeout",
                timing.timeoutMillis() + "ms",
                "--rise",
                Integer.toString(timing.rise()),
                "--fall",
                Integer.toString(timing.fall()),
                "--wait");
    }

    /** {@code lbctl settings set ARGS --wait}, e.g. {@code --health-quorum 2}. */
    public void settings(LbNode via, String... args) {
        List<String> all = new ArrayList<>(List.of("settings", "set"));
        all.addAll(Arrays.asList(args));
        all.add("--wait");
        run(via, all.toArray(String[]::new));
    }

    /** {@code lbctl real health tcp VIP -o json} on lb's host: the fleet verdicts as that node's image holds them. */
    public GetRealHealthResponse realHealth(LbNode lb) {
        LbctlProcess.Result r = run(lb, "real", "health", "tcp", vip(), "-o", "json");
        String json = r.out()
                .lines()
                .filter(l -> l.startsWith("{"))
                .reduce((a, c) -> c)
                .orElse("");
        try {
            return LbctlJson.mergeIgnoringUnknown(json, GetRealHealthResponse.newBuilder())
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException("lbctl real health on " + lb.id() + " printed no answer: " + r.out());
        }
    }

    /** The real whose address is backend's in a real-health answer. */
    public static Optional<RealHealthInfo> real(GetRealHealthResponse r, BackendNode backend) {
        String address = backend.address4().getHostAddress();
        return r.getRealsList().stream()
                .filter(x -> x.getAddress().equals(address))
                .findFirst();
    }

    private LbctlProcess.Result run(LbNode via, String... args) {
        LbctlProcess.Result r = fleet.lbctl().run(via, args);
        if (!r.ok()) {
            throw new IllegalStateException(r.failure());
        }
        log.accept("  $ " + r.shown() + " (on " + via.id() + ")");
        return r;
    }
}
