package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The completion scripts {@link CliDocs} generates, sourced by a real bash and asked for completions the way bash's
 * programmable completion asks (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT, then the function the script
 * registered with {@code complete -F}). What must be offered is read from the same command models, so a command or
 * option added later is checked without touching this test.
 */
class ShellCompletionTest {
    /** Between the words of a query on the driver's input (ASCII unit separator: in no command or option name). */
    private static final char SEPARATOR = '\u001f';

    @TempDir
    Path dir;

    @Test
    void lbctlCompletesEveryCommandGroupSubcommandAndOption() throws Exception {
        CommandLine lbctl = CliDocs.programs().get("lbctl");
        Path script = write("lbctl", CliDocs.bashCompletion("lbctl", lbctl));

        Map<List<String>, Set<String>> expected = new LinkedHashMap<>();
        expected.put(List.of(""), lbctl.getSubcommands().keySet());
        expected.put(List.of("v"), startingWith(lbctl.getSubcommands().keySet(), "v"));
        Map<List<String>, CommandLine> commands = commandsByPath(lbctl, List.of());
        commands.forEach((path, command) -> {
            if (!command.getSubcommands().isEmpty()) {
                expected.put(append(path, ""), command.getSubcommands().keySet());
            }
            expected.put(append(path, "--"), longOptions(command));
        });
        Map<List<String>, List<String>> replies = complete(script, "lbctl", expected.keySet());

        for (Map.Entry<List<String>, Set<String>> query : expected.entrySet()) {
            List<String> reply = replies.get(query.getKey());
            assertEquals(Set.of(), missing(query.getValue(), reply), "lbctl " + String.join(" ", query.getKey()));
        }
        // A prefix offers the commands it starts, not every one of them.
        assertEquals(startingWith(lbctl.getSubcommands().keySet(), "v"), new TreeSet<>(replies.get(List.of("v"))));
        System.out.println("completion: bash completes lbctl's " + commands.size() + " commands (" + expected.size()
                + " queries: every subcommand, alias and long option of the model offered)");
    }

    @Test
    void lbAgentCompletesEveryOption() throws Exception {
        CommandLine agent = CliDocs.programs().get("lb-agent");
        Path script = write("lb-agent", CliDocs.bashCompletion("lb-agent", agent));
        List<String> query = List.of("--");

        List<String> reply = complete(script, "lb-agent", List.of(query)).get(query);

        assertEquals(Set.of(), missing(longOptions(agent), reply));
    }

    /** zsh runs the same script through bashcompinit (the script loads it when sourced from zsh). */
    @Test
    void zshCompletesFromTheSameScript() throws Exception {
        CommandLine lbctl = CliDocs.programs().get("lbctl");
        Path script = write("lbctl", CliDocs.bashCompletion("lbctl", lbctl));
        CommandLine vip = lbctl.getSubcommands().get("vip");

        assertEquals(Set.of(), missing(lbctl.getSubcommands().keySet(), completeInZsh(script, "lbctl", "")));
        assertEquals(Set.of(), missing(vip.getSubcommands().keySet(), completeInZsh(script, "lbctl", "vip", "")));
    }

    /** The control: the checks above catch a generator run over a model that lost a command. */
    @Test
    void aScriptFromAModelWithoutACommandDoesNotOfferIt() throws Exception {
        CommandLine full = CliDocs.programs().get("lbctl");
        CommandLine sabotaged = CliDocs.programs().get("lbctl");
        sabotaged.getCommandSpec().removeSubcommand("vip");
        Path script = write("lbctl", CliDocs.bashCompletion("lbctl", sabotaged));
        List<String> top = List.of("");
        List<String> vip = List.of("vip", "");

        Map<List<String>, List<String>> replies = complete(script, "lbctl", List.of(top, vip));

        assertEquals(Set.of("vip"), missing(full.getSubcommands().keySet(), replies.get(top)));
        assertTrue(
                missing(full.getSubcommands().get("vip").getSubcommands().keySet(), replies.get(vip))
                        .contains("add"),
                "vip's subcommands must be missing too: " + replies.get(vip));
    }

    private Path write(String name, String script) throws IOException {
        return Files.writeString(dir.resolve(name), script, StandardCharsets.UTF_8);
    }

    /**
     * Runs one bash that sources the script, then for each query (the words after the program name, the last one
     * being completed) sets the completion variables, calls the registered function and prints COMPREPLY.
     */
    private static Map<List<String>, List<String>> complete(Path script, String program, Iterable<List<String>> queries)
            throws IOException, InterruptedException {
        StringBuilder input = new StringBuilder();
        List<List<String>> order = new ArrayList<>();
        for (List<String> query : queries) {
            order.add(query);
            // every word ends with the separator, so a last word that is empty ("lbctl vip ") is still a word
            query.forEach(word -> input.append(word).append(SEPARATOR));
            input.append('\n');
        }
        String driver = "source \"$1\" || exit 9\n"
                + "fn=$(complete -p \"$2\" 2>/dev/null | sed -E 's/.* -F ([^ ]+) .*/\\1/')\n"
                + "[ -n \"$fn\" ] || { echo \"no completion registered for $2\" >&2; exit 8; }\n"
                + "while IFS=$'\\x1f' read -r -a words; do\n"
                + "  COMP_WORDS=(\"$2\" \"${words[@]}\"); COMP_CWORD=${#words[@]}\n"
                + "  COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()\n"
                + "  \"$fn\" \"$2\" \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\" 2>/dev/null\n"
                + "  printf '%s\\n' \"${COMPREPLY[@]}\"; echo '--end--'\n"
                + "done\n";
        Process bash = new ProcessBuilder(
                        "bash", "--norc", "--noprofile", "-c", driver, "bash", script.toString(), program)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        bash.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
        bash.getOutputStream().close();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(60, TimeUnit.SECONDS), "bash did not finish");
        assertEquals(0, bash.exitValue(), "bash exit status; output: " + out);
        return replies(order, out);
    }

    /**
     * One completion in zsh, as a user's ~/.zshrc sets it up (compinit, then source the script): the function the
     * script registered through bashcompinit, called with bash's completion variables.
     */
    private static List<String> completeInZsh(Path script, String program, String... words)
            throws IOException, InterruptedException {
        String driver = "autoload -U +X compinit && compinit -u -D\n"
                + "source \"$1\" || exit 9\n"
                + "spec=${_comps[$2]}; fn=${${spec##*-F }%% *}\n"
                + "[[ $spec == *-F* && -n $fn ]] || { print -u2 \"no completion registered for $2\"; exit 8 }\n"
                + "COMP_WORDS=(\"$2\" \"${@:3}\"); COMP_CWORD=$(( $# - 2 )); COMP_LINE=\"${COMP_WORDS[*]}\"\n"
                + "COMP_POINT=${#COMP_LINE}; COMPREPLY=()\n"
                + "$fn \"$2\" \"${@[-1]}\" \"${COMP_WORDS[-2]}\" 2>/dev/null\n"
                + "print -rl -- \"${COMPREPLY[@]}\"\n";
        List<String> command = new ArrayList<>(List.of("zsh", "-f", "-c", driver, "zsh", script.toString(), program));
        command.addAll(List.of(words));
        Process zsh;
        try {
            zsh = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new IOException("zsh not found (scripts/install-deps.sh installs it): " + e.getMessage(), e);
        }
        zsh.getOutputStream().close();
        String out = new String(zsh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(zsh.waitFor(60, TimeUnit.SECONDS), "zsh did not finish");
        assertEquals(0, zsh.exitValue(), "zsh exit status; output: " + out);
        return out.lines().filter(line -> !line.isEmpty()).collect(Collectors.toList());
    }

    private static Map<List<String>, List<String>> replies(List<List<String>> order, String out) {
        Map<List<String>, List<String>> replies = new LinkedHashMap<>();
        List<String> current = new ArrayList<>();
        int next = 0;
        for (String line : out.split("\n", -1)) {
            if (line.equals("--end--")) {
                replies.put(order.get(next++), current);
                current = new ArrayList<>();
            } else if (!line.isEmpty()) {
                current.add(line);
            }
        }
        assertEquals(order.size(), replies.size(), "one reply per query; output: " + out);
        return replies;
    }

    /** Every command reachable from {@code command} by its own name (aliases lead to the same commands). */
    private static Map<List<String>, CommandLine> commandsByPath(CommandLine command, List<String> path) {
        Map<List<String>, CommandLine> commands = new LinkedHashMap<>();
        Set<CommandLine> seen = new LinkedHashSet<>();
        for (CommandLine sub : command.getSubcommands().values()) {
            if (seen.add(sub)) {
                List<String> subPath = append(path, sub.getCommandName());
                commands.put(subPath, sub);
                commands.putAll(commandsByPath(sub, subPath));
            }
        }
        return commands;
    }

    private static Set<String> longOptions(CommandLine command) {
        return command.getCommandSpec().options().stream()
                .filter(o -> !o.hidden())
                .flatMap(o -> List.of(o.names()).stream())
                .filter(n -> n.startsWith("--"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> startingWith(Set<String> names, String prefix) {
        return names.stream().filter(n -> n.startsWith(prefix)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> missing(Set<String> expected, List<String> reply) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(reply);
        return missing;
    }

    private static List<String> append(List<String> path, String word) {
        List<String> longer = new ArrayList<>(path);
        longer.add(word);
        return List.copyOf(longer);
    }
}
