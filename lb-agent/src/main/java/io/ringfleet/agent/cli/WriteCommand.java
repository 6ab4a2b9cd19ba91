package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import java.util.List;
import picocli.CommandLine.Mixin;

/** A command that applies one {@link Command} to the fleet, with the {@link WriteOptions} of every write. */
abstract class WriteCommand extends ApiCommand {
    @Mixin
    WriteOptions write;

    /** The command to apply, built from the parsed arguments. */
    abstract Command.Builder command();

    /** Why the fleet emitted no record for this command (it was already so). */
    String noChange() {
        return "nothing to change";
    }

    @Override
    int run(ApiConnection api, Output out) throws Exception {
        return write.apply(api, out, List.of(command().build()), noChange());
    }
}
