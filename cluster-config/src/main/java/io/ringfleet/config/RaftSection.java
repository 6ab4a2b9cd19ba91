package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.state.raft.RaftTimings;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code raft} section, read into {@link RaftTimings} (which owns the defaults and the rules between the
 * values: min < max, request timeout ≥ min). Every node must use the same timings; they are fleet-wide here.
 */
final class RaftSection {
    static final String KEY = "raft";
    private static final int MIN_MS = (int) RaftTimings.MIN_ELECTION_TIMEOUT.toMillis();
    private static final int MAX_MS = (int) RaftTimings.MAX_ELECTION_TIMEOUT.toMillis();
    static final Field<Integer> ELECTION_MIN = Field.of(
            "election-timeout-min-ms",
            "an integer from " + MIN_MS + " to " + MAX_MS,
            n -> Values.integer(n, MIN_MS, MAX_MS));
    static final Field<Integer> ELECTION_MAX = Field.of(
            "election-timeout-max-ms",
            "an integer from " + MIN_MS + " to " + MAX_MS,
            n -> Values.integer(n, MIN_MS, MAX_MS));
    static final Field<Integer> REQUEST = Field.of(
            "request-timeout-ms",
            "an integer from " + MIN_MS + " to " + 10 * MAX_MS,
            n -> Values.integer(n, MIN_MS, 10 * MAX_MS));
    static final Field<Boolean> PRE_VOTE = Field.of("pre-vote", "true or false", Values::bool);
    static final List<Field<?>> ALL = List.of(ELECTION_MIN, ELECTION_MAX, REQUEST, PRE_VOTE);
    static final List<String> NAMES = Field.names(ALL);

    private final FieldReader reader;

    RaftSection(FieldReader reader) {
        this.reader = reader;
    }

    /** The timings; the defaults when the section is absent, null when anything is wrong (reported). */
    RaftTimings read(Section top) {
        Entry e = top.entry(KEY);
        if (e == null) {
            return RaftTimings.DEFAULT;
        }
        Section s = Section.read(
                e.value(),
                e.keyLine(),
                KEY,
                NAMES,
                "raft (" + String.join(", ", NAMES) + ")",
                Map.of(),
                reader.problems());
        RaftTimings d = RaftTimings.DEFAULT;
        Integer min =
                reader.optional(s, ELECTION_MIN, (int) d.electionTimeoutMin().toMillis());
        Integer max =
                reader.optional(s, ELECTION_MAX, (int) d.electionTimeoutMax().toMillis());
        Integer request = reader.optional(s, REQUEST, (int) d.requestTimeout().toMillis());
        Boolean preVote = reader.optional(s, PRE_VOTE, d.preVote());
        if (min == null || max == null || request == null || preVote == null) {
            return null;
        }
        try {
            return RaftTimings.of(Duration.ofMillis(min), Duration.ofMillis(max), Duration.ofMillis(request), preVote);
        } catch (IllegalArgumentException bad) {
            reader.problems().error(s.line(), KEY, bad.getMessage());
            return null;
        }
    }
}
