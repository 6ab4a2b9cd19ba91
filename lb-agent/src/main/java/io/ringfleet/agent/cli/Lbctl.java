package io.ringfleet.agent.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.security.CertificateToolException;
import io.ringfleet.state.PrintableText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * lbctl: operate a Ringfleet fleet through any agent's API. Every katran_goclient action, plus drains,
 * the fleet status table and a development CA. Errors are one line on stderr (a JSON object with
 * {@code -o json}); exit codes are in {@link ExitCodes}.
 */
@Command(
        name = "lbctl",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        version = "lbctl (Ringfleet) 0.1.0",
        description = "Operate a Ringfleet fleet through any agent's API.",
        subcommands = {
            VipCommands.class,
            RealCommands.class,
            HealthCheckCommands.class,
            QuicCommands.class,
            MacCommands.class,
            StatsCommand.class,
            NodeCommands.class,
            StatusCommand.class,
            ExplainCommand.class,
            HistoryCommand.class,
            WaitCommand.class,
            ApplyCommand.class,
            DiffCommand.class,
            ExportCommand.class,
            SettingsCommands.class,
            CertsCommands.class,
            DoctorCommand.class
        },
        footer = {
            "",
            "Connection: --target HOST:PORT (any node's api-address, or LBCTL_TARGET);",
            "mutual TLS with --ca, --cert, --key (or LBCTL_CA, LBCTL_CERT, LBCTL_KEY),",
            "or --plaintext for a fleet that runs without TLS.",
            "",
            "Exit codes: 0 ok, 1 failed, 2 usage, 3 rejected by the fleet, 4 unavailable,",
            "5 not allowed (TLS, certificate role), 6 applied but --wait timed out."
        })
public final class Lbctl {
    @Option(
            names = "--target",
            scope = ScopeType.INHERIT,
            paramLabel = "HOST:PORT",
            defaultValue = "${env:LBCTL_TARGET:-127.0.0.1:9871}",
            description = "Agent API address (default ${DEFAULT-VALUE}).")
    String target;

    @Option(
            names = "--ca",
            scope = ScopeType.INHERIT,
            paramLabel = "PEM",
            defaultValue = "${env:LBCTL_CA}",
            description = "Fleet CA certificate.")
    Path ca;

    @Option(
            names = "--cert",
            scope = ScopeType.INHERIT,
            paramLabel = "PEM",
            defaultValue = "${env:LBCTL_CERT}",
            description = "Your certificate (operator or read-only).")
    Path cert;

    @Option(
            names = "--key",
            scope = ScopeType.INHERIT,
            paramLabel = "PEM",
            defaultValue = "${env:LBCTL_KEY}",
            description = "Your private key (PKCS#8).")
    Path key;

    @Option(names = "--plaintext", scope = ScopeType.INHERIT, description = "No TLS (test fleets only).")
    boolean plaintext;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "table or json (one JSON document per line).")
    Output.Format format;

    @Option(
            names = "--timeout",
            scope = ScopeType.INHERIT,
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = Args.DurationConverter.class,
            description = "Deadline of each call (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    ApiConnection connect() throws LbctlException {
        if (plaintext) {
            spec.commandLine().getErr().println("lbctl: warning: plaintext: no encryption, no client identity");
            spec.commandLine().getErr().flush();
        }
        return ApiConnection.open(target, ca, cert, key, plaintext, timeout);
    }

    public static void main(String[] args) {
        io.ringfleet.agent.NettyMachineId.setIfAbsent();
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs lbctl with these arguments, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Lbctl root = new Lbctl();
        CommandLine cli = new CommandLine(root)
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> failure(root, e, err))
                .setParameterExceptionHandler((e, argv) -> {
                    String hint = e.getCommandLine().getCommandName();
                    CommandLine c = e.getCommandLine();
                    while (c.getParent() != null) {
                        c = c.getParent();
                        hint = c.getCommandName() + " " + hint;
                    }
                    return report(
                            root,
                            err,
                            ExitCodes.USAGE,
                            "usage",
                            oneLine(e.getMessage()) + " (see: " + hint + " --help)");
                });
        cli.getCommandSpec().exitCodeOnUsageHelp(ExitCodes.OK);
        int code = cli.execute(args);
        if (code == ExitCodes.OK
                && cli.getParseResult() != null
                && !cli.getParseResult().hasSubcommand()
                && !cli.isUsageHelpRequested()
                && !cli.isVersionHelpRequested()) {
            cli.usage(err);
            return ExitCodes.USAGE;
        }
        return code;
    }

    private static int failure(Lbctl root, Exception e, PrintWriter err) {
        if (e instanceof LbctlException) {
            LbctlException l = (LbctlException) e;
            return report(root, err, l.exitCode, l.exitCode == ExitCodes.USAGE ? "usage" : "failed", l.getMessage());
        }
        if (e instanceof StatusRuntimeException) {
            Status s = ((StatusRuntimeException) e).getStatus();
            String description = s.getDescription() == null ? "" : s.getDescription();
            SSLException tls = tlsCause(e);
            if (tls != null) {
                return report(
                        root,
                        err,
                        ExitCodes.NOT_ALLOWED,
                        "tls",
                        "TLS handshake with " + root.target + " failed: "
                                + oneLine(rootCause(tls).getMessage()));
            }
            if (s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
                String cause = s.getCause() == null
                        ? ""
                        : oneLine(rootCause(s.getCause()).getMessage());
                String what = description.isEmpty()
                        ? cause
                        : cause.isEmpty() || description.contains(cause) ? description : description + ": " + cause;
                return report(root, err, ExitCodes.of(s.getCode()), s.getCode().name(), root.target + ": " + what);
            }
            return report(root, err, ExitCodes.of(s.getCode()), s.getCode().name(), oneLine(description));
        }
        if (e instanceof CertificateToolException) {
            return report(root, err, ExitCodes.FAILED, "failed", oneLine(e.getMessage()));
        }
        if (e instanceof InterruptedException) {
            return report(root, err, ExitCodes.FAILED, "failed", "interrupted");
        }
        return report(
                root,
                err,
                ExitCodes.FAILED,
                "failed",
                "unexpected " + e.getClass().getSimpleName() + ": " + oneLine(String.valueOf(e.getMessage())));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static SSLException tlsCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return (SSLException) t;
            }
        }
        return null;
    }

    /** One line on stderr: "lbctl: CODE: message", or a JSON object with -o json. */
    private static int report(Lbctl root, PrintWriter err, int exit, String kind, String message) {
        if (root.format == Output.Format.json) {
            err.println(errorJson(kind, message, exit));
        } else {
            // The message may quote what a server or a caller wrote (a CN, a drain reason): shown escaped.
            err.println("lbctl: " + kind.toLowerCase(Locale.ROOT).replace('_', ' ') + ": "
                    + PrintableText.of(message, Output.MAX_CELL));
        }
        err.flush();
        return exit;
    }

    /** {"error":"KIND","message":"...","exit_code":N}, the exit code an integer. */
    static String errorJson(String kind, String message, int exit) {
        StringBuilder sb = new StringBuilder("{\"error\":");
        ProtoJson.string(sb, kind.toUpperCase(Locale.ROOT));
        sb.append(",\"message\":");
        ProtoJson.string(sb, message);
        return sb.append(",\"exit_code\":").append(exit).append('}').toString();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
