package io.ringfleet.agent.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What the gRPC API lets one client hold: connections, idle and old connections, keepalive pings, message and
 * metadata sizes, calls per connection, programmed-index waits. The defaults are here and only here; the agent
 * passes them unchanged unless told otherwise ({@code LbAgentBuilder.apiLimits}).
 *
 * @param maxConnections open TCP connections at once (TLS handshake or not); the next one is closed at accept
 * @param handshakeTimeout a new connection must finish its TLS and HTTP/2 handshakes within this
 * @param maxConnectionIdle a connection without calls for this long is closed (GOAWAY)
 * @param maxConnectionAge a connection this old is asked to go away (clients reconnect) ...
 * @param maxConnectionAgeGrace ... and its calls get this long to finish (above {@link ControlServer#MAX_WAIT}, so
 *     the longest wait a request may ask for still ends)
 * @param keepAliveTime the server pings a connection silent for this long ...
 * @param keepAliveTimeout ... and closes it if the ping is not answered within this
 * @param permitKeepAliveTime clients may ping at most this often (more often: GOAWAY too_many_pings)
 * @param maxInboundMessageBytes largest request (batches are limited further by {@link BatchWriter})
 * @param maxInboundMetadataBytes largest request headers
 * @param maxCallsPerConnection concurrent calls on one connection
 * @param maxWaits programmed-index waits in progress on this node (WaitProgrammed, Apply with wait); more are
 *     RESOURCE_EXHAUSTED
 */
public record ApiLimits(
        int maxConnections,
        Duration handshakeTimeout,
        Duration maxConnectionIdle,
        Duration maxConnectionAge,
        Duration maxConnectionAgeGrace,
        Duration keepAliveTime,
        Duration keepAliveTimeout,
        Duration permitKeepAliveTime,
        int maxInboundMessageBytes,
        int maxInboundMetadataBytes,
        int maxCallsPerConnection,
        int maxWaits) {

    public static final ApiLimits DEFAULTS = new ApiLimits(
            1024,
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            Duration.ofHours(1),
            ControlServer.MAX_WAIT.plusMinutes(1),
            Duration.ofMinutes(1),
            Duration.ofSeconds(20),
            Duration.ofSeconds(10),
            4 << 20,
            16 << 10,
            1000,
            4096);

    public ApiLimits {
        atLeastOne("maxConnections", maxConnections);
        atLeastOne("maxInboundMessageBytes", maxInboundMessageBytes);
        atLeastOne("maxInboundMetadataBytes", maxInboundMetadataBytes);
        atLeastOne("maxCallsPerConnection", maxCallsPerConnection);
        atLeastOne("maxWaits", maxWaits);
        for (Duration d : new Duration[] {
            handshakeTimeout,
            maxConnectionIdle,
            maxConnectionAge,
            maxConnectionAgeGrace,
            keepAliveTime,
            keepAliveTimeout,
            permitKeepAliveTime
        }) {
            Objects.requireNonNull(d, "durations");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("API time limits must be positive, got " + d);
            }
        }
    }

    private static void atLeastOne(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
    }

    public ApiLimits withMaxConnections(int max) {
        return new ApiLimits(
                max,
                handshakeTimeout,
                maxConnectionIdle,
                maxConnectionAge,
                maxConnectionAgeGrace,
                keepAliveTime,
                keepAliveTimeout,
                permitKeepAliveTime,
                maxInboundMessageBytes,
                maxInboundMetadataBytes,
                maxCallsPerConnection,
                maxWaits);
    }

    public ApiLimits withMaxWaits(int max) {
        return new ApiLimits(
                maxConnections,
                handshakeTimeout,
                maxConnectionIdle,
                maxConnectionAge,
                maxConnectionAgeGrace,
                keepAliveTime,
                keepAliveTimeout,
                permitKeepAliveTime,
                maxInboundMessageBytes,
                maxInboundMetadataBytes,
                maxCallsPerConnection,
                max);
    }
}
