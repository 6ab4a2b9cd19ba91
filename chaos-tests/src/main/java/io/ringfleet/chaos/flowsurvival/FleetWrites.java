package io.ringfleet.chaos.flowsurvival;

import io.ringfleet.agent.cli.LbctlJson;
import io.ringfleet.api.GetFleetSettingsResponse;
import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.agents.AgentProcess;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The scenario's operator actions, each through the real {@code lbctl} on a live LB's host and waited for: a batch
 * programmed on every live LB, a drain whose route withdrawal the router's kernel shows, the fleet settings read (also
 * by the demo).
 */
public final class FleetWrites {
    /** lbctl's exit status when the write was logged but not programmed everywhere in time (lbctl ExitCodes). */
    private static final int WAIT_TIMED_OUT = 6;
    /** lbctl's exit status when no leader could take the write (lbctl ExitCodes). */
    private static final int UNAVAILABLE = 4;

    private static final long ROUTES_MILLIS = 30_000;

    private final Topology topology;
    private final LbAgentFleet fleet;
    private final Consumer<String> out;
    private int files;

    public FleetWrites(Topology topology, LbAgentFleet fleet, Consumer<String> out) {
        this.topology = topology;
        this.fleet = fleet;
        this.out = out;
    }

    /** Applies batch through an LB whose agent runs, waiting until every live LB programmed it. */
    void apply(String what, Batch batch) {
        Path file = fleet.dir().resolve("flow-survival-" + (++files) + ".json");
        try {
            Files.writeString(file, batch.json());
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
        write(what, "apply", "-f", file.toString());
    }

    /** Drains LB n and waits until the router's kernel routes of both VIPs have lost it: its flows moved. */
    void drain(int n) {
        write("drain lb" + n, "node", "drain", "lb" + n, "--reason", "flow-survival");
        SortedSet<Integer> others = new TreeSet<>(Set.of(1, 2, 3));
        others.remove(n);
        awaitRoutes(others, "after draining lb" + n);
    }

    /** Undrains LB n and waits until both VIPs are routed to every LB again. */
    void undrain(int n) {
        write("undrain lb" + n, "node", "undrain", "lb" + n);
        awaitRoutes(new TreeSet<>(Set.of(1, 2, 3)), "after undraining lb" + n);
    }

    /** {@code lbctl -o json settings show}: the log's settings and finalised fleet version. */
    public GetFleetSettingsResponse settings() {
        LbctlProcess.Result r = fleet.lbctl().run(liveLb(), "settings", "show", "-o", "json");
        if (!r.ok()) {
            throw new IllegalStateException(r.failure());
        }
        String json = r.out()
                .lines()
                .filter(l -> l.startsWith("{"))
                .reduce((a, b) -> b)
                .orElse("");
        try {
            return LbctlJson.mergeIgnoringUnknown(json, GetFleetSettingsResponse.newBuilder())
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "lbctl settings show printed no settings: " + r.out().strip(), e);
        }
    }

    /**
     * Runs the write with {@code --wait}; tried again (at most 5 times) only while lbctl answers "unavailable", as
     * while the fleet elects a leader after the scenario killed one.
     */
    private void write(String what, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 3);
        all[args.length] = "--wait";
        all[args.length + 1] = "--timeout";
        all[args.length + 2] = "20s";
        for (int attempt = 1; ; attempt++) {
            LbNode via = liveLb();
            LbctlProcess.Result r = fleet.lbctl().run(via, all);
            if (r.ok() || r.exit() == WAIT_TIMED_OUT) {
                out.accept("  " + what + " (lbctl through " + via.id()
                        + (r.ok() ? "" : ", not programmed everywhere in time") + ")");
                return;
            }
            if (r.exit() != UNAVAILABLE || attempt == 5) {
                throw new IllegalStateException(what + " through " + via.id() + " failed: " + r.failure());
            }
            out.accept("  " + what + ": fleet unavailable (attempt " + attempt + "), trying again");
            Pause.millis(1_000);
        }
    }

    /** The first LB whose agent process runs (writes through a dead one would only time out). */
    private LbNode liveLb() {
        return fleet.agents().stream()
                .filter(AgentProcess::alive)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no agent runs"))
                .lb();
    }

    private void awaitRoutes(SortedSet<Integer> expected, String when) {
        long deadline = System.currentTimeMillis() + ROUTES_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (topology.nextHops4().equals(expected) && topology.nextHops6().equals(expected)) {
                return;
            }
            Pause.millis(50);
        }
        throw new IllegalStateException("the router's VIP routes are " + topology.nextHops4() + " / "
                + topology.nextHops6() + " " + ROUTES_MILLIS / 1000 + " s " + when + ", expected LBs " + expected);
    }
}
