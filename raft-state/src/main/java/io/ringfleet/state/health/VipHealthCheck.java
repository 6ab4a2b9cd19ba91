package io.ringfleet.state.health;

import io.ringfleet.api.HealthCheck;
import io.ringfleet.api.HealthCheckKind;
import java.util.Objects;

/**
 * A VIP's health check as the log holds it: the validated {@link HealthCheckSpec} and whether it is enabled (a
 * disabled check is kept, but nobody probes and no verdict applies). Converting from the protobuf validates every
 * field through {@link HealthCheckSpec}, which owns the rules: a zero is a value like any other (interval 0 is
 * refused), so the defaults are the client's to fill in ({@link HealthCheckSpec#builder}).
 */
public record VipHealthCheck(HealthCheckSpec spec, boolean enabled) {
    public VipHealthCheck {
        Objects.requireNonNull(spec, "spec");
    }

    /**
     * The check {@code proto} describes.
     *
     * @throws InvalidHealthCheckException one line naming the rule broken and the value given
     */
    public static VipHealthCheck fromProto(HealthCheck proto) {
        CheckKind kind = kind(proto.getKind());
        HealthCheckSpec.Builder b = HealthCheckSpec.builder(kind, unsigned(proto.getPort(), "port"))
                .intervalMillis(unsigned(proto.getIntervalMs(), "interval"))
                .timeoutMillis(unsigned(proto.getTimeoutMs(), "timeout"))
                .rise(unsigned(proto.getRise(), "rise"))
                .fall(unsigned(proto.getFall(), "fall"));
        if (kind == CheckKind.HTTP) {
            b.path(proto.getHttpPath()).expectedStatus(unsigned(proto.getExpectedStatus(), "expected status"));
        } else if (!proto.getHttpPath().isEmpty() || proto.getExpectedStatus() != 0) {
            throw new InvalidHealthCheckException("a TCP check has no HTTP path or status: use kind http");
        }
        return new VipHealthCheck(b.build(), proto.getEnabled());
    }

    /** The canonical protobuf: every field explicit (what records, snapshots and the digest carry). */
    public HealthCheck toProto() {
        return HealthCheck.newBuilder()
                .setKind(
                        spec.kind() == CheckKind.HTTP
                                ? HealthCheckKind.HEALTH_CHECK_HTTP
                                : HealthCheckKind.HEALTH_CHECK_TCP)
                .setPort(spec.port())
                .setHttpPath(spec.httpPath())
                .setExpectedStatus(spec.expectedStatus())
                .setIntervalMs(spec.intervalMillis())
                .setTimeoutMs(spec.timeoutMillis())
                .setRise(spec.rise())
                .setFall(spec.fall())
                .setEnabled(enabled)
                .build();
    }

    private static CheckKind kind(HealthCheckKind kind) {
        return switch (kind) {
            case HEALTH_CHECK_TCP -> CheckKind.TCP;
            case HEALTH_CHECK_HTTP -> CheckKind.HTTP;
            default -> throw new InvalidHealthCheckException("check kind must be tcp or http, got " + kind);
        };
    }

    /** An unsigned proto value above the int range must not wrap into an accepted one. */
    private static int unsigned(int raw, String name) {
        if (raw < 0) {
            throw new InvalidHealthCheckException(name + " " + Integer.toUnsignedString(raw) + " is out of range");
        }
        return raw;
    }
}
