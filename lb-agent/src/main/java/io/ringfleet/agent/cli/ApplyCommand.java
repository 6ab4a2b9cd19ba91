package io.ringfleet.agent.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ringfleet.api.ApplyRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lbctl apply -f FILE}: one atomic batch of any commands, written as JSON. */
@Command(
        name = "apply",
        description = {
            "Apply a batch of commands atomically (all or none), from JSON:",
            "  {\"commands\": [{\"add_vip\": {\"vip\": {\"address\": \"10.0.0.1\", \"port\": 80, \"protocol\": \"TCP\"}}},",
            "                {\"add_reals\": {\"vip\": {...}, \"reals\": [{\"address\": \"10.1.0.1\", \"weight\": 1}]}}]}",
            "Field names are those of ringfleet/v1/commands.proto."
        })
final class ApplyCommand extends ApiCommand {
    @Mixin
    WriteOptions write;

    @Option(
            names = {"-f", "--file"},
            required = true,
            paramLabel = "FILE",
            description = "JSON file, or - for stdin.")
    String file;

    @Override
    int run(ApiConnection api, Output out) throws LbctlException {
        String json;
        try {
            json = file.equals("-")
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LbctlException(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
        ApplyRequest.Builder b = ApplyRequest.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new LbctlException(ExitCodes.USAGE, file + " is not a batch of commands: " + e.getMessage());
        }
        return write.apply(api, out, b.getCommandsList());
    }
}
