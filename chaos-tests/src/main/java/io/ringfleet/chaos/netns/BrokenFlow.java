package io.ringfleet.chaos.netns;

/**
 * A long-lived flow that stopped working: a TCP connection reset, timed out, closed by the far end or
 * answered with bytes other than its own, or a UDP flow whose answers came from another real or stopped.
 *
 * @param flow e.g. {@code tcp#12 cl1 -> 10.200.0.1:8080}
 * @param real the real that served it before it broke
 * @param reason what was seen
 * @param expected true when its real had been removed from the VIP (the flow had nowhere to go)
 * @param atMillis when, in milliseconds since the traffic started
 */
public record BrokenFlow(String flow, String real, String reason, boolean expected, long atMillis) {
    @Override
    public String toString() {
        return String.format(
                "%s on %s: %s at %.1f s%s",
                flow, real, reason, atMillis / 1000.0, expected ? " (its real was removed)" : "");
    }
}
