package io.ringfleet.agent.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every API call and authorizes it by role. Under mutual TLS the caller is the client
 * certificate: CN is the principal, OU the role ({@link Role}); a certificate without a known role may
 * call nothing. In plaintext mode (an explicit choice, for test networks) every caller is an operator
 * whose principal is {@code plaintext@<client address>}.
 */
public final class AuthInterceptor implements ServerInterceptor {
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {};
    private static final Logger LOG = LoggerFactory.getLogger(AuthInterceptor.class);
    private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);

    private final MethodPolicy policy;
    private final boolean plaintext;
    private final RateLimitedLog refusals;

    private AuthInterceptor(MethodPolicy policy, boolean plaintext, RateLimitedLog refusals) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.plaintext = plaintext;
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    public static AuthInterceptor mutualTls(MethodPolicy policy) {
        return mutualTls(policy, defaultRefusals());
    }

    /** As {@link #mutualTls(MethodPolicy)}, refused calls logged to {@code refusals}. */
    public static AuthInterceptor mutualTls(MethodPolicy policy, RateLimitedLog refusals) {
        return new AuthInterceptor(policy, false, refusals);
    }

    public static AuthInterceptor plaintext(MethodPolicy policy) {
        return new AuthInterceptor(policy, true, defaultRefusals());
    }

    private static RateLimitedLog defaultRefusals() {
        return new RateLimitedLog(LOG::warn, REFUSAL_LOG_INTERVAL, System::nanoTime);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Caller caller;
        if (plaintext) {
            caller = new Caller(
                    "plaintext@" + host(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)), Role.OPERATOR);
        } else {
            Optional<X509Certificate> cert =
                    clientCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            if (cert.isEmpty()) {
                return refuse(
                        call,
                        Status.UNAUTHENTICATED.withDescription(
                                "no client certificate: this API requires mutual TLS with a certificate from the fleet CA"));
            }
            CertificateIdentity id = CertificateIdentity.of(cert.get());
            if (id.role().isEmpty()) {
                return refuse(
                        call,
                        Status.PERMISSION_DENIED.withDescription("certificate " + id.describe()
                                + " carries no role: its OU must be one of " + Role.ALLOWED));
            }
            if (id.commonName().isEmpty()) {
                return refuse(
                        call,
                        Status.PERMISSION_DENIED.withDescription(
                                "the client certificate has no CN: the CN is the principal recorded in the log"));
            }
            caller = new Caller(id.commonName(), id.role().get());
        }
        if (!policy.allows(caller.role(), method)) {
            return refuse(
                    call,
                    Status.PERMISSION_DENIED.withDescription(caller.principal() + " has role " + caller.role()
                            + ", which may only read; " + method + " needs an operator certificate"));
        }
        Context context = Context.current().withValue(Caller.CONTEXT_KEY, caller);
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** Answers {@code status} and logs it (rate-limited, one sanitised line: the CN is the caller's text). */
    @SuppressWarnings("unchecked")
    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        refusals.log("refused " + call.getMethodDescriptor().getFullMethodName() + " from "
                + host(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)) + ": " + status.getCode() + " "
                + status.getDescription());
        call.close(status, new Metadata());
        return (ServerCall.Listener<Q>) NOTHING;
    }

    private static Optional<X509Certificate> clientCertificate(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] certs = session.getPeerCertificates();
            if (certs.length > 0 && certs[0] instanceof X509Certificate) {
                return Optional.of((X509Certificate) certs[0]);
            }
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String host(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            return ((InetSocketAddress) address).getHostString();
        }
        return String.valueOf(address);
    }
}
