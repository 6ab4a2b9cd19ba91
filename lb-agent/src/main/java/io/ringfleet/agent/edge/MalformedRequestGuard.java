package io.ringfleet.agent.edge;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Parses a service's requests itself, so that a request that is not a valid protobuf of its type (truncated, too
 * deeply nested, wrong wire types) is answered {@code INVALID_ARGUMENT} with one rate-limited WARN line.
 *
 * <p>Why: gRPC parses requests before the service sees them, and a parse failure there escapes as an
 * application error: the caller gets {@code UNKNOWN} and the server logs a SEVERE stack trace per request, so
 * anyone who can open a connection can fill the disk. Here the methods are re-registered with a raw-bytes request
 * marshaller (gRPC has already bounded the size, {@code maxInboundMessageSize}) and the bytes are parsed in the
 * call's listener, where a failure can close the call cleanly.
 */
public final class MalformedRequestGuard {
    /** Deepest nesting of messages a request may have; deeper ones are refused (protobuf's own limit is 100). */
    public static final int MAX_NESTING = 64;

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new RawBytes();

    private final RateLimitedWarning warnings;

    public MalformedRequestGuard(RateLimitedWarning warnings) {
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /** The service with every method's requests parsed by this guard (responses unchanged). */
    public ServerServiceDefinition guard(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder b =
                ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            b.addMethod(guardMethod(method));
        }
        return b.build();
    }

    private <Q, R> ServerMethodDefinition<byte[], R> guardMethod(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
        MethodDescriptor<byte[], R> raw =
                typed.toBuilder(RAW, typed.getResponseMarshaller()).build();
        ServerCallHandler<byte[], R> handler = new ParsingCallHandler<>(
                typed, new RequestParser<>(parserOf(typed)), method.getServerCallHandler(), this);
        return ServerMethodDefinition.create(raw, handler);
    }

    @SuppressWarnings("unchecked")
    private static <Q> Parser<Q> parserOf(MethodDescriptor<Q, ?> method) {
        if (!(method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p)
                || !(p.getMessagePrototype() instanceof MessageLite prototype)) {
            throw new IllegalArgumentException(method.getFullMethodName() + " does not take protobuf requests");
        }
        return (Parser<Q>) prototype.getParserForType();
    }

    /** Called once per refused request: one WARN line per method and window, never the client's bytes. */
    void refused(String fullMethodName, InvalidProtocolBufferException e) {
        warnings.warn(
                "malformed:" + fullMethodName,
                "refused a malformed request to " + fullMethodName + " (INVALID_ARGUMENT): " + oneLine(e));
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int cut = m.indexOf('\n');
        return cut < 0 ? m : m.substring(0, cut);
    }

    /** A request type's parser with the nesting limit. */
    static final class RequestParser<Q> {
        private final Parser<Q> parser;

        RequestParser(Parser<Q> parser) {
            this.parser = parser;
        }

        Q parse(byte[] bytes) throws InvalidProtocolBufferException {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(MAX_NESTING);
            return parser.parseFrom(in);
        }
    }

    /** What a refused request is told. */
    static Status invalid(String fullMethodName, InvalidProtocolBufferException e) {
        return Status.INVALID_ARGUMENT.withDescription("the request is not a valid " + fullMethodName
                + " request (truncated, nested deeper than " + MAX_NESTING + " or of the wrong types): "
                + oneLine(e));
    }

    /** Requests as the bytes received (already bounded by the server's maximum message size). */
    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("reading a received request from memory failed", e);
            }
        }
    }
}
