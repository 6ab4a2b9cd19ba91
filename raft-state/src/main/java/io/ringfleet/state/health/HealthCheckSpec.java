package io.ringfleet.state.health;

import java.util.Objects;

/**
 * How one VIP's reals are checked: a plain, immutable value (no IO, no clock), so the log can carry it as a
 * fleet setting and every node reads the same one. Creating one validates it; an invalid spec is never built,
 * so nothing that would hold it changes.
 *
 * <p>Defaults are HAProxy's ({@code check inter 2s rise 2 fall 3}, timeout 1 s): see {@link #builder}.
 *
 * @param kind TCP connect, or HTTP GET
 * @param port the port probed on the VIP address, 1..65535
 * @param httpPath HTTP only: the request path, starting with {@code /}; empty for TCP
 * @param expectedStatus HTTP only: the status a healthy real answers, 100..599; 0 for TCP
 * @param intervalMillis time between two probes of one pair (before jitter), at least 1
 * @param timeoutMillis a probe without an answer after this long fails; at least 1 and below the interval
 * @param rise consecutive successes that bring a pair up, at least 1
 * @param fall consecutive failures that bring a pair down, at least 1
 */
public record HealthCheckSpec(
        CheckKind kind,
        int port,
        String httpPath,
        int expectedStatus,
        int intervalMillis,
        int timeoutMillis,
        int rise,
        int fall) {
    public static final int DEFAULT_INTERVAL_MILLIS = 2_000;
    public static final int DEFAULT_TIMEOUT_MILLIS = 1_000;
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final String DEFAULT_HTTP_PATH = "/";
    public static final int DEFAULT_HTTP_STATUS = 200;
    /** Longest HTTP path accepted: the request line must stay one small packet. */
    public static final int MAX_HTTP_PATH = 1_024;

    public HealthCheckSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(httpPath, "httpPath");
        require(port >= 1 && port <= 65_535, "port must be 1..65535, got " + port);
        require(intervalMillis >= 1, "interval must be at least 1 ms, got " + intervalMillis);
        require(timeoutMillis >= 1, "timeout must be at least 1 ms, got " + timeoutMillis);
        require(
                timeoutMillis < intervalMillis,
                "timeout must be shorter than the interval, got timeout " + timeoutMillis + " ms >= interval "
                        + intervalMillis + " ms");
        require(rise >= 1, "rise must be at least 1, got " + rise);
        require(fall >= 1, "fall must be at least 1, got " + fall);
        if (kind == CheckKind.HTTP) {
            checkHttp(httpPath, expectedStatus);
        } else {
            require(httpPath.isEmpty(), "a TCP check has no HTTP path, got '" + httpPath + "'");
            require(expectedStatus == 0, "a TCP check has no HTTP status, got " + expectedStatus);
        }
    }

    private static void checkHttp(String path, int status) {
        require(path.startsWith("/"), "an HTTP path must start with '/', got '" + path + "'");
        require(path.length() <= MAX_HTTP_PATH, "an HTTP path is at most " + MAX_HTTP_PATH + " characters");
        // the path goes verbatim into the request line: no spaces or control characters
        require(
                path.chars().allMatch(c -> c > 0x20 && c < 0x7f),
                "an HTTP path must be printable ASCII without spaces");
        require(status >= 100 && status <= 599, "an HTTP status must be 100..599, got " + status);
    }

    private static void require(boolean rule, String message) {
        if (!rule) {
            throw new InvalidHealthCheckException(message);
        }
    }

    /** A TCP check of port with the default interval, timeout, rise and fall. */
    public static Builder tcp(int port) {
        return new Builder(CheckKind.TCP, port, "", 0);
    }

    /** An HTTP check of port: {@code GET /} expecting 200, with the default interval, timeout, rise and fall. */
    public static Builder http(int port) {
        return new Builder(CheckKind.HTTP, port, DEFAULT_HTTP_PATH, DEFAULT_HTTP_STATUS);
    }

    /** Starts from kind's defaults ({@link #tcp} or {@link #http}). */
    public static Builder builder(CheckKind kind, int port) {
        return kind == CheckKind.HTTP ? http(port) : tcp(port);
    }

    /** Builds a spec; {@link #build} validates and throws {@link InvalidHealthCheckException} naming the rule. */
    public static final class Builder {
        private final CheckKind kind;
        private final int port;
        private String httpPath;
        private int expectedStatus;
        private int intervalMillis = DEFAULT_INTERVAL_MILLIS;
        private int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;
        private int rise = DEFAULT_RISE;
        private int fall = DEFAULT_FALL;

        private Builder(CheckKind kind, int port, String httpPath, int expectedStatus) {
            this.kind = kind;
            this.port = port;
            this.httpPath = httpPath;
            this.expectedStatus = expectedStatus;
        }

        public Builder path(String path) {
            this.httpPath = path;
            return this;
        }

        public Builder expectedStatus(int status) {
            this.expectedStatus = status;
            return this;
        }

        public Builder intervalMillis(int millis) {
            this.intervalMillis = millis;
            return this;
        }

        public Builder timeoutMillis(int millis) {
            this.timeoutMillis = millis;
            return this;
        }

        public Builder rise(int rise) {
            this.rise = rise;
            return this;
        }

        public Builder fall(int fall) {
            this.fall = fall;
            return this;
        }

        public HealthCheckSpec build() {
            return new HealthCheckSpec(kind, port, httpPath, expectedStatus, intervalMillis, timeoutMillis, rise, fall);
        }
    }
}
