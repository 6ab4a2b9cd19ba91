package io.ringfleet.agent.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs lbctl in-process with captured output, as a given certificate of a test PKI, against a target. */
public final class LbctlRunner {
    private final String target;
    private final Path ca;
    private final Path certDir;

    public LbctlRunner(String target, Path ca, Path certDir) {
        this.target = target;
        this.ca = ca;
        this.certDir = certDir;
    }

    /** What one lbctl run printed and returned. */
    public record Result(int exit, String out, String err) {
        public List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Lbctl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    /** lbctl ARGS --target T --ca CA --cert NAME.pem --key NAME-key.pem */
    public Result as(String name, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--target",
                target,
                "--ca",
                ca.toString(),
                "--cert",
                certDir.resolve(name + ".pem").toString(),
                "--key",
                certDir.resolve(name + "-key.pem").toString()));
        return raw(all.toArray(new String[0]));
    }
}
