package io.ringfleet.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to one agent's API: opens the connection, runs, closes it. */
abstract class ApiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    Lbctl root() {
        return (Lbctl) spec.root().userObject();
    }

    Output output() {
        return new Output(root().format, spec.commandLine().getOut());
    }

    @Override
    public final Integer call() throws Exception {
        try (ApiConnection api = root().connect()) {
            return run(api, output());
        }
    }

    /** @return the exit code */
    abstract int run(ApiConnection api, Output out) throws Exception;
}
