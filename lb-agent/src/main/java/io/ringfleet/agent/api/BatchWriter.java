package io.ringfleet.agent.api;

import io.ringfleet.agent.security.Caller;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.PrintableText;
import io.ringfleet.state.command.BatchLimits;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API edge of every write: checks what is cheap to check without the state (size, request id),
 * stamps the batch with who (the authenticated caller), through which node (this one), when and which
 * request, and submits it to the log. Everything else — these limits ({@link BatchLimits}, the one owner)
 * and the provenance included — is validated again at apply time, on every replica, against the image.
 * Every outcome is logged here, one INFO line per write, its caller-supplied text sanitised.
 */
public final class BatchWriter {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
    /** At most this many commands in one batch (one log entry). */
    public static final int MAX_COMMANDS = BatchLimits.MAX_COMMANDS;
    /** At most this many bytes of encoded commands in one batch. */
    public static final int MAX_BATCH_BYTES = BatchLimits.MAX_BATCH_BYTES;
    /** At most this many characters in a request id. */
    public static final int MAX_REQUEST_ID = BatchLimits.MAX_REQUEST_ID;

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
        for (Command c : commands) {
            if (c.getKindCase() == Command.KindCase.REPORT_REAL_HEALTH) {
                // A vote is an LB's own: its agent writes it through its Raft client, stamped agent:<node>.
                throw Statuses.invalid("report_real_health is written by each LB's own agent, never through the API:"
                        + " an operator cannot vote for an LB (mark a real down or set its weight to 0 instead)");
            }
        }
        String id = requestId.isEmpty() ? "req-" + UUID.randomUUID() : checkRequestId(requestId);
        CommandBatch.Builder b = CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal(caller.principal())
                .setViaNode(gateway.nodeId())
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

    /** Submits {@code batch} (from {@link #stamp}) and logs its outcome. */
    public CompletableFuture<FleetGateway.Committed> submit(CommandBatch batch) {
        return gateway.submit(batch).whenComplete((committed, failure) -> log(batch, committed, failure));
    }

    private static void log(CommandBatch batch, FleetGateway.Committed committed, Throwable failure) {
        String who = "write " + PrintableText.of(batch.getRequestId()) + " by " + PrintableText.of(batch.getPrincipal())
                + " via " + PrintableText.of(batch.getViaNode()) + " (" + batch.getCommandsCount() + " commands)";
        if (failure != null) {
            LOG.info("{} not committed: {}", who, PrintableText.of(String.valueOf(failure.getMessage())));
            return;
        }
        BatchReply reply = committed.reply();
        if (reply.getCode() == ReplyCode.OK) {
            LOG.info("{} applied at log index {}", who, reply.getLogIndex());
        } else {
            LOG.info(
                    "{} rejected at log index {}: {} {}",
                    who,
                    reply.getLogIndex(),
                    reply.getCode(),
                    PrintableText.of(reply.getMessage()));
        }
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
