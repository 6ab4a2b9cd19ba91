package io.ringfleet.agent.security;

import io.grpc.Context;
import io.ringfleet.state.PrintableText;
import java.util.Objects;

/**
 * The authenticated caller of one API call: its principal (the client certificate's CN, recorded in the
 * log entries it writes) and its role. Put into the gRPC {@link Context} by {@link AuthInterceptor}.
 */
public record Caller(String principal, Role role) {
    public static final Context.Key<Caller> CONTEXT_KEY = Context.key("ringfleet-caller");

    public Caller {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(role, "role");
    }

    /** The principal as it may be logged or printed ({@link PrintableText}). */
    public String printable() {
        return PrintableText.of(principal);
    }

    /**
     * The caller of the current call.
     *
     * @throws IllegalStateException if no {@link AuthInterceptor} ran for this call (a wiring bug)
     */
    public static Caller current() {
        Caller c = CONTEXT_KEY.get();
        if (c == null) {
            throw new IllegalStateException(
                    "no authenticated caller in this call: the API server must install AuthInterceptor");
        }
        return c;
    }
}
