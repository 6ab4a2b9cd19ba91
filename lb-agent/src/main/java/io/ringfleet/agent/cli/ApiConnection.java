package io.ringfleet.agent.cli;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.ringfleet.agent.security.TlsMaterial;
import io.ringfleet.agent.security.TlsMaterialException;
import io.ringfleet.api.ControlServiceGrpc;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One channel to one agent's API, with lbctl's deadline on every call. */
final class ApiConnection implements AutoCloseable {
    private final ManagedChannel channel;
    private final Duration timeout;
    private final String target;

    private ApiConnection(ManagedChannel channel, Duration timeout, String target) {
        this.channel = channel;
        this.timeout = timeout;
        this.target = target;
    }

    static ApiConnection open(String target, Path ca, Path cert, Path key, boolean plaintext, Duration timeout)
            throws LbctlException {
        Args.Endpoint endpoint;
        try {
            endpoint = Args.endpoint(target);
        } catch (RuntimeException e) {
            throw new LbctlException(ExitCodes.USAGE, "--target " + e.getMessage());
        }
        resolvable(endpoint);
        ChannelCredentials credentials;
        if (plaintext) {
            if (ca != null || cert != null || key != null) {
                throw new LbctlException(ExitCodes.USAGE, "--plaintext cannot be combined with --ca, --cert or --key");
            }
            credentials = InsecureChannelCredentials.create();
        } else {
            if (ca == null || cert == null || key == null) {
                throw new LbctlException(
                        ExitCodes.USAGE,
                        "give --ca, --cert and --key (or LBCTL_CA, LBCTL_CERT and"
                                + " LBCTL_KEY), or --plaintext for a fleet that runs without TLS");
            }
            try {
                credentials = TlsMaterial.load(ca, cert, key).apiClientCredentials();
            } catch (TlsMaterialException e) {
                throw new LbctlException(ExitCodes.USAGE, e.getMessage());
            }
        }
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(endpoint.address(), endpoint.port(), credentials)
                .maxInboundMessageSize(64 << 20)
                .build();
        return new ApiConnection(channel, timeout, endpoint.toString());
    }

    /**
     * Resolves the target's host before any channel exists: gRPC's resolver would log the failure with a stack
     * trace and retry until the deadline. A name that does not resolve is a one-line error (exit 4: it may be a
     * typo or a DNS outage).
     */
    private static void resolvable(Args.Endpoint endpoint) throws LbctlException {
        try {
            InetAddress.getAllByName(endpoint.address());
        } catch (UnknownHostException e) {
            throw new LbctlException(
                    ExitCodes.UNAVAILABLE,
                    "--target " + endpoint + ": cannot resolve host '" + endpoint.address() + "'");
        }
    }

    String target() {
        return target;
    }

    /** A stub whose calls end after lbctl's --timeout. */
    ControlServiceGrpc.ControlServiceBlockingStub control() {
        return control(Duration.ZERO);
    }

    /** A stub whose calls end after lbctl's --timeout plus {@code extra} (for calls that wait on purpose). */
    ControlServiceGrpc.ControlServiceBlockingStub control(Duration extra) {
        return ControlServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.plus(extra).toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
