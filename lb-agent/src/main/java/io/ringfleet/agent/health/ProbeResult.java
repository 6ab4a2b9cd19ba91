package io.ringfleet.agent.health;

import java.util.Objects;

/**
 * The outcome of one probe.
 *
 * @param reason what happened, one line: {@code connected}, {@code status 200}, {@code connect: ...},
 *     {@code no answer within 1000 ms}, ...
 * @param nanos from the connect call to the outcome
 */
public record ProbeResult(boolean ok, String reason, long nanos) {
    public ProbeResult {
        Objects.requireNonNull(reason, "reason");
    }
}
