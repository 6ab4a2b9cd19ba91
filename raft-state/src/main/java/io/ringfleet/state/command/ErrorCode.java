package io.ringfleet.state.command;

import io.ringfleet.api.ReplyCode;

/** Why a batch was rejected. The numbers are gRPC status codes, so a server maps them one to one. */
public enum ErrorCode {
    /** The request is malformed on its own: bad address, port, weight, flag bits, id range. */
    INVALID_ARGUMENT(3),
    /** It names a VIP, member, mark or server id that does not exist. */
    NOT_FOUND(5),
    /** It creates something that exists already. */
    ALREADY_EXISTS(6),
    /** A capacity limit is reached (VIP numbers, real indexes, health-check destinations). */
    RESOURCE_EXHAUSTED(8),
    /** The current state forbids it (expected state index mismatch, a flag the VIP lacks). */
    FAILED_PRECONDITION(9);

    private final int grpcCode;

    ErrorCode(int grpcCode) {
        this.grpcCode = grpcCode;
    }

    public int grpcCode() {
        return grpcCode;
    }

    public ReplyCode toProto() {
        return ReplyCode.forNumber(grpcCode);
    }
}
