package io.ringfleet.agent.edge;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The service's view of a call whose requests arrive as bytes: the same call with its typed method descriptor.
 * Closing is once only, because both the guard (a malformed request) and the service (an interceptor refusing
 * the caller at start) may close it.
 */
final class TypedServerCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<byte[], R> raw;
    private final MethodDescriptor<Q, R> typed;
    private final AtomicBoolean closed = new AtomicBoolean();

    TypedServerCall(ServerCall<byte[], R> raw, MethodDescriptor<Q, R> typed) {
        this.raw = raw;
        this.typed = typed;
    }

    void closeOnce(Status status, Metadata trailers) {
        if (closed.compareAndSet(false, true)) {
            raw.close(status, trailers);
        }
    }

    @Override
    public void close(Status status, Metadata trailers) {
        if (!closed.compareAndSet(false, true)) {
            throw new IllegalStateException("call already closed");
        }
        raw.close(status, trailers);
    }

    @Override
    public void request(int numMessages) {
        raw.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
        raw.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
        raw.sendMessage(message);
    }

    @Override
    public boolean isReady() {
        return raw.isReady();
    }

    @Override
    public boolean isCancelled() {
        return raw.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
        raw.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
        raw.setCompression(compressor);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
        return raw.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
        return raw.getAttributes();
    }

    @Override
    public String getAuthority() {
        return raw.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
        return typed;
    }
}
