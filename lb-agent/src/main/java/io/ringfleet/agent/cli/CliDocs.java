package io.ringfleet.agent.cli;

import io.ringfleet.agent.daemon.LbAgentMain;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the bash completion scripts and the man pages of lbctl and lb-agent from their picocli command definitions,
 * so they cannot drift from the commands. scripts/package.sh runs it at package time; nothing it writes is committed.
 *
 * <pre>
 *   CliDocs completion DIR   DIR/lbctl, DIR/lb-agent: bash scripts (zsh loads them with bashcompinit)
 *   CliDocs man DIR          DIR/lbctl.adoc, DIR/lbctl-vip.adoc, ...: one asciidoc man page per command
 *                            (asciidoctor -b manpage turns them into roff); needs picocli-codegen on the class path
 * </pre>
 */
public final class CliDocs {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private CliDocs() {}

    /** The documented programs by the name they are installed under, each with its command model. */
    static Map<String, CommandLine> programs() {
        Map<String, CommandLine> programs = new LinkedHashMap<>();
        programs.put("lbctl", new CommandLine(new Lbctl()));
        programs.put("lb-agent", new CommandLine(new LbAgentMain()));
        return programs;
    }

    /** picocli's bash completion script for this command model, installed as {@code name}. */
    static String bashCompletion(String name, CommandLine model) {
        return AutoComplete.bash(name, model);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length != 2 || !(args[0].equals("completion") || args[0].equals("man"))) {
            System.err.println("cli-docs: usage: CliDocs completion|man DIR");
            return USAGE;
        }
        Path dir = Path.of(args[1]);
        try {
            Files.createDirectories(dir);
            if (args[0].equals("completion")) {
                writeCompletion(dir);
            } else {
                writeManPages(dir);
            }
            return OK;
        } catch (IOException | CommandLine.PicocliException e) {
            // a model picocli refuses (e.g. a command class it cannot instantiate) is one line too
            System.err.println("cli-docs: cannot write " + args[0] + " into " + dir + ": "
                    + e.getClass().getSimpleName() + ": " + e.getMessage());
            return FAILED;
        }
    }

    private static void writeCompletion(Path dir) throws IOException {
        for (Map.Entry<String, CommandLine> program : programs().entrySet()) {
            String script = bashCompletion(program.getKey(), program.getValue());
            Files.writeString(dir.resolve(program.getKey()), script, StandardCharsets.UTF_8);
        }
    }

    private static void writeManPages(Path dir) throws IOException {
        CommandSpec[] specs =
                programs().values().stream().map(CommandLine::getCommandSpec).toArray(CommandSpec[]::new);
        // No templates (null), not verbose, no customizable template pages: one finished page per command.
        int code = ManPageGenerator.generateManPage(dir.toFile(), (File) null, new boolean[0], false, specs);
        if (code != 0) {
            throw new IOException("picocli's man page generator exited " + code);
        }
    }
}
