package io.ringfleet.agent.health;

import java.util.concurrent.ScheduledFuture;

/**
 * The prober's record of one pair, owned by its event loop: the current target (settings may change between
 * probes; the verdict and its streak are kept), the rise/fall state and the next scheduled probe.
 */
final class PairProbing {
    ProbeTarget target;
    final PairVerdict verdict;
    ScheduledFuture<?> next;
    boolean stopped;

    PairProbing(ProbeTarget target) {
        this.target = target;
        this.verdict = new PairVerdict(target.pair());
    }

    void stop() {
        stopped = true;
        if (next != null) {
            next.cancel(false);
        }
    }
}
