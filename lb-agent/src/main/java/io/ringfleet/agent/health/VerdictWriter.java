package io.ringfleet.agent.health;

import io.ringfleet.state.health.HealthPair;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * Writes this node's verdicts to the log: one {@code ReportRealHealth} command per pair, in one batch submitted
 * through this node (so the entry is stamped {@code via_node} = this node and the state machine can check that a
 * node reports only for itself).
 */
@FunctionalInterface
public interface VerdictWriter {
    /**
     * Completes with the log index the batch was applied at; fails when it was not committed or was rejected
     * (the caller retries).
     *
     * @param verdicts pair to {@link Verdict#UP} or {@link Verdict#DOWN}, never {@link Verdict#UNKNOWN}
     */
    CompletableFuture<Long> write(SortedMap<HealthPair, Verdict> verdicts);
}
