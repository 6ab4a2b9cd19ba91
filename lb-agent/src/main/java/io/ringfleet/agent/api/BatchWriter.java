package io.ringfleet.agent.api;

import io.ringfleet.agent.security.Caller;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The API edge of every write: checks what is cheap to check without the state (size, request id),
 * stamps the batch with who, when and which request, and submits it to the log. Everything else is
 * validated at apply time, on every replica, against the image.
 */
public final class BatchWriter {
    /** At most this many commands in one batch (one log entry). */
    public static final int MAX_COMMANDS = 1000;
    /** At most this many bytes of encoded commands in one batch. */
    public static final int MAX_BATCH_BYTES = 1 << 20;
    /** At most this many characters in a request id. */
    public static final int MAX_REQUEST_ID = 128;

    private final FleetGateway gateway;
    private final Clock clock;

    public BatchWriter(FleetGateway gateway, Clock clock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The log entry for these commands.
     *
     * @param requestId the caller's id, or empty for a generated one
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for an oversize batch or a bad request id
     */
    public CommandBatch stamp(
            List<Command> commands, String requestId, OptionalLong expectedStateIndex, Caller caller) {
        if (commands.isEmpty()) {
            throw Statuses.invalid("the batch has no commands: send at least one");
        }
        if (commands.size() > MAX_COMMANDS) {
            throw Statuses.invalid("the batch has " + commands.size() + " commands: at most " + MAX_COMMANDS
                    + " per batch; split it into several");
        }
        String id = requestId.isEmpty() ? "req-" + UUID.randomUUID() : checkRequestId(requestId);
        CommandBatch.Builder b = CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal(caller.principal())
                .setTimestampMillis(clock.millis())
                .setRequestId(id);
        expectedStateIndex.ifPresent(b::setExpectedStateIndex);
        CommandBatch batch = b.build();
        int bytes = batch.getSerializedSize();
        if (bytes > MAX_BATCH_BYTES) {
            throw Statuses.invalid("the batch is " + bytes + " bytes encoded: at most " + MAX_BATCH_BYTES
                    + " bytes (1 MiB) per batch; split it into several");
        }
        return batch;
    }

    public CompletableFuture<FleetGateway.Committed> submit(CommandBatch batch) {
        return gateway.submit(batch);
    }

    private static String checkRequestId(String id) {
        if (id.length() > MAX_REQUEST_ID) {
            throw Statuses.invalid("request_id is " + id.length() + " characters: at most " + MAX_REQUEST_ID);
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw Statuses.invalid("request_id has a character that is not printable ASCII at position " + i
                        + ": use letters, digits and punctuation, no spaces");
            }
        }
        return id;
    }
}
