package io.ringfleet.state.health;

/**
 * One LB's last vote on a pair, as the log holds it.
 *
 * @param up the LB's own verdict
 * @param atMillis the log time of the entry that carried it (API edge)
 * @param logIndex the index of that entry
 */
public record PairVote(boolean up, long atMillis, long logIndex) {}
