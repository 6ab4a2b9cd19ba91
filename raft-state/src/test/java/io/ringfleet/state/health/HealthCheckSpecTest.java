package io.ringfleet.state.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HealthCheckSpecTest {
    private static void refused(String rule, Supplier<HealthCheckSpec> build) {
        InvalidHealthCheckException e = assertThrows(InvalidHealthCheckException.class, build::get);
        assertTrue(e.getMessage().contains(rule), () -> "'" + e.getMessage() + "' should name '" + rule + "'");
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void defaultsAreHaproxys() {
        HealthCheckSpec tcp = HealthCheckSpec.tcp(80).build();
        assertEquals(CheckKind.TCP, tcp.kind());
        assertEquals(HealthCheckSpec.DEFAULT_INTERVAL_MILLIS, tcp.intervalMillis());
        assertEquals(HealthCheckSpec.DEFAULT_TIMEOUT_MILLIS, tcp.timeoutMillis());
        assertEquals(HealthCheckSpec.DEFAULT_RISE, tcp.rise());
        assertEquals(HealthCheckSpec.DEFAULT_FALL, tcp.fall());
        HealthCheckSpec http = HealthCheckSpec.http(8080).build();
        assertEquals(HealthCheckSpec.DEFAULT_HTTP_PATH, http.httpPath());
        assertEquals(HealthCheckSpec.DEFAULT_HTTP_STATUS, http.expectedStatus());
    }

    @Test
    void aZeroIntervalIsRefused() {
        refused(
                "interval must be at least 1 ms, got 0",
                () -> HealthCheckSpec.tcp(80).intervalMillis(0).build());
    }

    @Test
    void aTimeoutNotBelowTheIntervalIsRefused() {
        refused(
                "timeout must be shorter than the interval",
                () -> HealthCheckSpec.tcp(80)
                        .intervalMillis(500)
                        .timeoutMillis(500)
                        .build());
        refused(
                "timeout must be shorter than the interval",
                () -> HealthCheckSpec.tcp(80)
                        .intervalMillis(500)
                        .timeoutMillis(900)
                        .build());
        refused(
                "timeout must be at least 1 ms",
                () -> HealthCheckSpec.tcp(80).timeoutMillis(0).build());
    }

    @Test
    void zeroRiseOrFallIsRefused() {
        refused(
                "rise must be at least 1, got 0",
                () -> HealthCheckSpec.tcp(80).rise(0).build());
        refused(
                "fall must be at least 1, got 0",
                () -> HealthCheckSpec.tcp(80).fall(0).build());
    }

    @Test
    void anHttpPathWithoutLeadingSlashIsRefused() {
        refused(
                "an HTTP path must start with '/', got 'healthz'",
                () -> HealthCheckSpec.http(80).path("healthz").build());
        refused(
                "an HTTP path must be printable ASCII without spaces",
                () -> HealthCheckSpec.http(80).path("/a b").build());
    }

    @Test
    void aStatusOutside100To599IsRefused() {
        refused(
                "an HTTP status must be 100..599, got 99",
                () -> HealthCheckSpec.http(80).expectedStatus(99).build());
        refused(
                "an HTTP status must be 100..599, got 600",
                () -> HealthCheckSpec.http(80).expectedStatus(600).build());
        assertEquals(599, HealthCheckSpec.http(80).expectedStatus(599).build().expectedStatus());
        assertEquals(100, HealthCheckSpec.http(80).expectedStatus(100).build().expectedStatus());
    }

    @Test
    void aPortOutside1To65535IsRefused() {
        refused("port must be 1..65535, got 0", () -> HealthCheckSpec.tcp(0).build());
        refused(
                "port must be 1..65535, got 65536",
                () -> HealthCheckSpec.http(65_536).build());
        assertEquals(65_535, HealthCheckSpec.tcp(65_535).build().port());
    }

    @Test
    void aTcpCheckCarriesNoHttpFields() {
        refused(
                "a TCP check has no HTTP path",
                () -> HealthCheckSpec.tcp(80).path("/").build());
        refused(
                "a TCP check has no HTTP status",
                () -> HealthCheckSpec.tcp(80).expectedStatus(200).build());
    }

    @Test
    void equalSettingsAreEqualValues() {
        assertEquals(
                HealthCheckSpec.http(80).path("/up").rise(3).build(),
                HealthCheckSpec.http(80).path("/up").rise(3).build());
    }
}
