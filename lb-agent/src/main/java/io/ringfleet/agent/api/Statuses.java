package io.ringfleet.agent.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.ringfleet.api.BatchReply;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Outcomes → gRPC statuses. A caller never gets a stack trace: unexpected failures are logged here. */
public final class Statuses {
    /** Trailer of a rejected Apply: the 0-based position of the rejected command (-1: the batch itself). */
    static final Metadata.Key<String> FAILED_COMMAND =
            Metadata.Key.of("ringfleet-failed-command", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger LOG = LoggerFactory.getLogger(Statuses.class);

    private Statuses() {}

    /** The rejection of a batch: code = ReplyCode, description = the message verbatim. */
    static StatusRuntimeException rejected(BatchReply reply) {
        Metadata trailers = new Metadata();
        trailers.put(FAILED_COMMAND, Integer.toString(reply.getFailedCommandIndex()));
        return Status.fromCodeValue(reply.getCodeValue())
                .withDescription(reply.getMessage())
                .asRuntimeException(trailers);
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /**
     * A log or state index from a request ({@code field} names it): uint64 on the wire, so a Java long that
     * reads as negative is an index of 2^63 or more. No log gets there (a Ratis index is a signed long), and
     * compared as a long it would be below every index: a wait for 2^64-1 would be over at once. So it is
     * refused here, INVALID_ARGUMENT, and everything behind the API compares indexes as the longs they are.
     */
    static long index(long value, String field) {
        if (value < 0) {
            throw invalid(field + " " + Long.toUnsignedString(value) + " is above the largest log index "
                    + Long.MAX_VALUE + ": give an index from a write's reply or from 'lbctl status'");
        }
        return value;
    }

    /** Any failure of a request's future, as the status the caller gets. */
    public static StatusRuntimeException of(Throwable failure, String what) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof StatusRuntimeException) {
            return (StatusRuntimeException) t;
        }
        if (t instanceof StatusException) {
            StatusException s = (StatusException) t;
            return s.getStatus().asRuntimeException(s.getTrailers());
        }
        if (t instanceof FleetUnavailableException) {
            return Status.UNAVAILABLE.withDescription(t.getMessage()).asRuntimeException();
        }
        if (t instanceof CancellationException) {
            return Status.CANCELLED.withDescription(what + " was cancelled").asRuntimeException();
        }
        LOG.error("{} failed unexpectedly", what, t);
        return Status.INTERNAL
                .withDescription(what + " failed inside the agent ("
                        + t.getClass().getSimpleName() + "); the agent's log has the details")
                .asRuntimeException();
    }
}
