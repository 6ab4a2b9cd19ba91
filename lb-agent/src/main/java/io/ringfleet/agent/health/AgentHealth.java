package io.ringfleet.agent.health;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.health.HealthPair;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's health side: probes what each image says to probe and reports this node's verdicts to the log.
 *
 * <p>It is fed the images the node has programmed ({@link #imageProgrammed}), not merely applied: a pair's mark
 * only reaches its real once the health-check destination is in the kernel, so probing before that would fail
 * and report a healthy real down. Each image gives a {@link ProbePlan}; the prober is updated only when the plan
 * changed, and it keeps the pairs that stayed (their probes, verdicts and streaks are not restarted). Verdict
 * edges go to the {@link VerdictReporter}, which writes what the log does not hold yet.
 */
public final class AgentHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHealth.class);

    private final String nodeId;
    private final HealthLogReader reader;
    private final VerdictReporter reporter;
    private final HealthProber prober;
    private final AsymmetryTracker asymmetry;
    private final Object lock = new Object();
    private ProbePlan plan = ProbePlan.NONE; // guarded by lock

    /**
     * @param prober a builder whose listener is ignored: this class listens
     */
    public AgentHealth(String nodeId, HealthLogReader reader, VerdictWriter writer, HealthProber.Builder prober) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.asymmetry = new AsymmetryTracker(nodeId);
        // the prober is the one source of this node's verdicts; the reporter reads them when an edge wakes it
        ProberHolder holder = new ProberHolder();
        this.reporter = new VerdictReporter(nodeId, writer, holder::verdicts);
        this.prober = prober.listener(reporter::verdictChanged).build();
        holder.prober = this.prober;
    }

    /** The node programmed image (called on the programming thread: only hands work on). */
    public void imageProgrammed(FleetImage image) {
        ProbePlan next = ProbePlan.of(image, reader.checks(image));
        synchronized (lock) {
            if (!next.targets().equals(plan.targets())) {
                prober.update(next.targets().values());
            }
            if (!next.withoutDestination().equals(plan.withoutDestination())
                    && !next.withoutDestination().isEmpty()) {
                LOG.warn(
                        "{}: not probing {} checked pair(s) whose real has no health-check destination (SO_MARK): {}",
                        nodeId,
                        next.withoutDestination().size(),
                        next.withoutDestination());
            }
            plan = next;
        }
        asymmetry.imageProgrammed(image, System.currentTimeMillis());
        SortedMap<HealthPair, Verdict> logged = reader.votes(image, nodeId);
        reporter.logApplied(new LogView(
                image.index(),
                image.nodes().isDrained(nodeId),
                logged,
                new java.util.TreeSet<>(next.targets().keySet())));
    }

    /** Pairs probed now. */
    public int pairsProbed() {
        synchronized (lock) {
            return plan.targets().size();
        }
    }

    /**
     * Pairs where this node's vote has differed from the fleet's quorum verdict for longer than their check's fall
     * × interval (asymmetric reachability: not a fleet change, reported).
     */
    public int asymmetricPairs() {
        return asymmetry.asymmetricPairs(System.currentTimeMillis());
    }

    /** Checked pairs not probed for want of a health-check destination. */
    public SortedSet<HealthPair> withoutDestination() {
        synchronized (lock) {
            return plan.withoutDestination();
        }
    }

    public HealthProber prober() {
        return prober;
    }

    public VerdictReporter reporter() {
        return reporter;
    }

    @Override
    public void close() {
        prober.close();
        reporter.close();
    }

    /** Lets the reporter read verdicts of a prober built after it. */
    private static final class ProberHolder {
        volatile HealthProber prober;

        java.util.Map<HealthPair, Verdict> verdicts() {
            HealthProber p = prober;
            return p == null ? java.util.Map.of() : p.verdicts();
        }
    }
}
