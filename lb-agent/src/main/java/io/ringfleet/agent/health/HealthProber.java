package io.ringfleet.agent.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringfleet.state.health.HealthPair;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes (VIP, real) pairs through the health-check forwarder and reports only changes of this node's verdict.
 *
 * <p>One Netty epoll event loop (one thread) runs every probe: each pair has one scheduled probe at a time, the
 * next one {@code interval} after the last started, jittered by ±{@link #JITTER_PERCENT}% (the first one at a
 * random point of the first interval) so a thousand pairs do not probe in step. Sockets carry the target's
 * SO_MARK; the tc health-check forwarder encapsulates their packets to the real the mark names, and the real
 * answers as the VIP. The loop thread is made by the builder's thread factory: in a network namespace, a
 * factory whose threads entered it.
 *
 * <p>{@link #update} replaces the set of targets: new pairs start {@link Verdict#UNKNOWN}, removed pairs stop
 * (an answer still in flight is dropped), a pair whose settings or mark changed keeps its verdict and streak.
 */
public final class HealthProber implements AutoCloseable {
    public static final int JITTER_PERCENT = 10;
    private static final Logger LOG = LoggerFactory.getLogger(HealthProber.class);

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final VerdictListener listener;
    private final HealthMetrics metrics;
    private final Random jitter;
    private final Map<HealthPair, PairProbing> pairs = new HashMap<>(); // the loop's only
    private final Map<HealthPair, Verdict> verdicts = new ConcurrentHashMap<>(); // for readers on other threads

    private HealthProber(Builder b) {
        this.listener = b.listener;
        this.metrics = new HealthMetrics(b.registry);
        this.jitter = b.jitter;
        this.group = new MultiThreadIoEventLoopGroup(1, b.threadFactory, EpollIoHandler.newFactory());
        this.loop = group.next();
    }

    public static Builder builder(VerdictListener listener) {
        return new Builder(listener);
    }

    /**
     * Probes exactly these targets from now on. Refused whole (nothing changes) if two targets name the same
     * pair.
     */
    public void update(Collection<ProbeTarget> targets) {
        Map<HealthPair, ProbeTarget> wanted = new HashMap<>();
        for (ProbeTarget t : targets) {
            if (wanted.put(t.pair(), t) != null) {
                throw new IllegalArgumentException("two health checks for " + t.pair() + ": one per (VIP, real)");
            }
        }
        loop.execute(() -> apply(wanted));
    }

    /** This node's verdict on pair; empty if it is not probed. */
    public Optional<Verdict> verdict(HealthPair pair) {
        return Optional.ofNullable(verdicts.get(pair));
    }

    /** Every probed pair's verdict (a copy). */
    public Map<HealthPair, Verdict> verdicts() {
        return Map.copyOf(verdicts);
    }

    private void apply(Map<HealthPair, ProbeTarget> wanted) {
        pairs.entrySet().removeIf(e -> {
            if (wanted.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().stop();
            // metric first: whoever sees the verdict gone (verdict(), another thread) sees the gauge gone too
            metrics.untrack(e.getKey());
            verdicts.remove(e.getKey());
            return true;
        });
        wanted.forEach((pair, target) -> {
            PairProbing p = pairs.get(pair);
            if (p != null) {
                p.target = target; // the next probe uses the new settings
                return;
            }
            p = new PairProbing(target);
            pairs.put(pair, p);
            verdicts.put(pair, Verdict.UNKNOWN);
            metrics.track(pair, verdicts);
            schedule(p, (long) (jitter.nextDouble() * target.spec().intervalMillis()));
        });
    }

    private void schedule(PairProbing p, long delayMillis) {
        p.next = loop.schedule(() -> probe(p), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void probe(PairProbing p) {
        if (p.stopped) {
            return;
        }
        ProbeTarget target = p.target;
        int interval = target.spec().intervalMillis();
        double spread = (jitter.nextDouble() * 2 - 1) * JITTER_PERCENT / 100.0;
        schedule(p, Math.max(1, Math.round(interval * (1 + spread))));
        Probe.start(loop, target, result -> probed(p, target, result));
    }

    private void probed(PairProbing p, ProbeTarget target, ProbeResult result) {
        if (p.stopped) {
            return;
        }
        metrics.probed(target.spec().kind().name().toLowerCase(Locale.ROOT), result);
        p.verdict.record(result, target.spec().rise(), target.spec().fall()).ifPresent(this::changed);
    }

    private void changed(VerdictChange change) {
        verdicts.put(change.pair(), change.to());
        metrics.changed(change);
        try {
            listener.verdictChanged(change);
        } catch (RuntimeException e) {
            LOG.warn("health verdict listener failed on {}: {}", change, e.toString());
        }
    }

    /** Stops probing and closes the event loop (waits up to 5 s for it). */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    public static final class Builder {
        private VerdictListener listener;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private ThreadFactory threadFactory = new DefaultThreadFactory("ringfleet-health", true);
        private Random jitter = new Random();

        private Builder(VerdictListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
        }

        /** Replaces the listener given to {@link HealthProber#builder}. */
        public Builder listener(VerdictListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Builder registry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Makes the one event-loop thread; its network namespace is the one probes leave from. */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /** Where the jitter comes from (seed it for a reproducible schedule). */
        public Builder jitter(Random jitter) {
            this.jitter = Objects.requireNonNull(jitter, "jitter");
            return this;
        }

        /** Starts the event loop; fails with one line if Netty's epoll transport cannot load here. */
        public HealthProber build() {
            if (!Epoll.isAvailable()) {
                throw new IllegalStateException("health prober: Netty's epoll transport is unavailable ("
                        + Epoll.unavailabilityCause() + "); SO_MARK needs it");
            }
            return new HealthProber(this);
        }
    }
}
