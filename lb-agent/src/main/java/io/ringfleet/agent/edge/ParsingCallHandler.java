package io.ringfleet.agent.edge;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;

/**
 * Starts the service's own handler on a typed view of the call and hands it each request once parsed; a request
 * that does not parse closes the call INVALID_ARGUMENT and the service's handler sees no more of it (it is still
 * told of the cancel or completion, so it can release what it holds).
 */
final class ParsingCallHandler<Q, R> implements ServerCallHandler<byte[], R> {
    private final MethodDescriptor<Q, R> typed;
    private final MalformedRequestGuard.RequestParser<Q> parser;
    private final ServerCallHandler<Q, R> service;
    private final MalformedRequestGuard guard;

    ParsingCallHandler(
            MethodDescriptor<Q, R> typed,
            MalformedRequestGuard.RequestParser<Q> parser,
            ServerCallHandler<Q, R> service,
            MalformedRequestGuard guard) {
        this.typed = typed;
        this.parser = parser;
        this.service = service;
        this.guard = guard;
    }

    @Override
    public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], R> call, Metadata headers) {
        TypedServerCall<Q, R> typedCall = new TypedServerCall<>(call, typed);
        return new Listener(typedCall, service.startCall(typedCall, headers));
    }

    private final class Listener extends ServerCall.Listener<byte[]> {
        private final TypedServerCall<Q, R> call;
        private final ServerCall.Listener<Q> delegate;
        private boolean refused;

        Listener(TypedServerCall<Q, R> call, ServerCall.Listener<Q> delegate) {
            this.call = call;
            this.delegate = delegate;
        }

        @Override
        public void onMessage(byte[] bytes) {
            if (refused) {
                return;
            }
            Q request;
            try {
                request = parser.parse(bytes);
            } catch (InvalidProtocolBufferException e) {
                refused = true;
                guard.refused(typed.getFullMethodName(), e);
                call.closeOnce(MalformedRequestGuard.invalid(typed.getFullMethodName(), e), new Metadata());
                return;
            }
            delegate.onMessage(request);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                delegate.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                delegate.onReady();
            }
        }

        @Override
        public void onCancel() {
            delegate.onCancel();
        }

        @Override
        public void onComplete() {
            delegate.onComplete();
        }
    }
}
