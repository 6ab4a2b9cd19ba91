package io.ringfleet.chaos.bgp;

/**
 * The timers both sides of every session use, short so that a run's setup and failure detection cost seconds:
 * BFD 100 ms × 3 (a silent peer is down after 300 ms), BGP keepalive 1 s / hold 3 s (what would withdraw a
 * dead LB without BFD), connect retry 1 s.
 */
final class BgpTimers {
    static final int BFD_INTERVAL_MS = 100;
    static final int BFD_MULTIPLIER = 3;
    static final int KEEPALIVE_S = 1;
    static final int HOLD_S = 3;
    static final int CONNECT_RETRY_S = 1;
    /** The router's AS and the one AS every LB announces from (an anycast fleet shares its AS). */
    static final int ROUTER_AS = 65000;

    static final int LB_AS = 65001;

    private BgpTimers() {}
}
