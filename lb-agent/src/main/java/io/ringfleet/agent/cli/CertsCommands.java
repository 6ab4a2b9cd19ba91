package io.ringfleet.agent.cli;

import io.ringfleet.agent.security.CertificateToolException;
import io.ringfleet.agent.security.DevCertificateAuthority;
import io.ringfleet.agent.security.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code lbctl certs ...}: a development CA and certificates for nodes, operators and read-only clients. */
@Command(
        name = "certs",
        description = "A development CA (uses the openssl command).",
        subcommands = {CertsCommands.Init.class, CertsCommands.Issue.class})
final class CertsCommands {
    private CertsCommands() {}

    static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            try {
                return Role.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A command on the development CA in {@code --dir}; prints one line when done. */
    abstract static class CaCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--dir",
                required = true,
                paramLabel = "DIR",
                description = "The CA's directory (ca.pem, ca-key.pem and the certificates it issued).")
        Path dir;

        /** Does the work on the CA; returns the line to print. */
        abstract String run(DevCertificateAuthority ca) throws CertificateToolException;

        @Override
        public Integer call() throws CertificateToolException {
            String line = run(new DevCertificateAuthority(dir));
            spec.commandLine().getOut().println(line);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "init", description = "Create the CA (DIR/ca.pem, DIR/ca-key.pem).")
    static final class Init extends CaCommand {
        @Option(names = "--days", defaultValue = "3650", description = "Validity (default ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--force", description = "Replace an existing CA (its certificates stop being trusted).")
        boolean force;

        @Override
        String run(DevCertificateAuthority authority) throws CertificateToolException {
            DevCertificateAuthority.Issued ca = authority.init(days, force);
            return "CA created: " + ca.cert() + " (key " + ca.key() + ")";
        }
    }

    @Command(
            name = "issue",
            description = {
                "Issue DIR/NAME.pem and DIR/NAME-key.pem signed by the CA in DIR.",
                "Roles: operator (reads and writes), read-only (reads), node (an agent: API server, Raft peer).",
                "Node certificates name localhost, 127.0.0.1, ::1 and NAME; add the node's hosts with --san."
            })
    static final class Issue extends CaCommand {
        @Option(
                names = "--role",
                required = true,
                converter = RoleConverter.class,
                description = "operator, read-only or node")
        Role role;

        @Option(
                names = "--name",
                required = true,
                description = "The CN: the principal recorded in the log (a node: its peer id).")
        String name;

        @Option(
                names = "--san",
                paramLabel = "HOST",
                split = ",",
                description = "More DNS names or IP addresses; repeatable.")
        List<String> sans = new ArrayList<>();

        @Option(names = "--days", defaultValue = "365", description = "Validity (default ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--force", description = "Replace an existing certificate of that name.")
        boolean force;

        @Override
        String run(DevCertificateAuthority authority) throws CertificateToolException {
            DevCertificateAuthority.Issued issued = authority.issue(role, name, sans, days, force);
            return "issued " + issued.subject() + ": " + issued.cert() + " (key " + issued.key() + ")";
        }
    }
}
