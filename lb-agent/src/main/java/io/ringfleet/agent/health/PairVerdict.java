package io.ringfleet.agent.health;

import io.ringfleet.state.health.HealthPair;
import java.util.Optional;

/**
 * Rise and fall for one pair (pure: results in, verdict changes out). A pair starts {@link Verdict#UNKNOWN};
 * {@code rise} consecutive successes make it UP and {@code fall} consecutive failures make it DOWN; a result
 * that does not change the verdict returns empty. Not thread-safe: the prober's event loop owns it.
 */
final class PairVerdict {
    private final HealthPair pair;
    private Verdict verdict = Verdict.UNKNOWN;
    private int successes;
    private int failures;

    PairVerdict(HealthPair pair) {
        this.pair = pair;
    }

    Verdict verdict() {
        return verdict;
    }

    Optional<VerdictChange> record(ProbeResult result, int rise, int fall) {
        if (result.ok()) {
            successes++;
            failures = 0;
            return changeTo(Verdict.UP, successes >= rise, successes, result);
        }
        failures++;
        successes = 0;
        return changeTo(Verdict.DOWN, failures >= fall, failures, result);
    }

    private Optional<VerdictChange> changeTo(Verdict next, boolean reached, int streak, ProbeResult result) {
        if (verdict == next || !reached) {
            return Optional.empty();
        }
        VerdictChange change = new VerdictChange(pair, verdict, next, result.reason(), streak);
        verdict = next;
        return Optional.of(change);
    }
}
