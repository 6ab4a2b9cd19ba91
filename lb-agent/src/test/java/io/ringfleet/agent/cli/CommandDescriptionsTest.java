package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command, option and positional parameter of lbctl and lb-agent says what it is: the man pages and
 * {@code --help} print these descriptions, and an undescribed one is a blank entry in both.
 */
class CommandDescriptionsTest {
    @Test
    void everyCommandOptionAndParameterHasADescription() {
        List<String> undescribed = new ArrayList<>();
        int described = 0;
        for (Map.Entry<String, CommandLine> program : CliDocs.programs().entrySet()) {
            for (CommandLine command : commands(program.getValue())) {
                described += check(command.getCommandSpec(), undescribed);
            }
        }

        assertEquals(List.of(), undescribed);
        System.out.println("cli-descriptions: " + described + " command, option and parameter entries of lbctl and"
                + " lb-agent (an inherited option once per command) described, 0 blank");
    }

    /** The control: the check sees an option added without a description. */
    @Test
    void anOptionWithoutADescriptionIsReported() {
        CommandLine lbctl = CliDocs.programs().get("lbctl");
        lbctl.getCommandSpec().addOption(OptionSpec.builder("--undescribed").build());
        List<String> undescribed = new ArrayList<>();

        check(lbctl.getCommandSpec(), undescribed);

        assertEquals(List.of("lbctl option --undescribed"), undescribed);
    }

    /** Adds what in {@code spec} has no description to {@code undescribed}; returns how many were checked. */
    private static int check(CommandSpec spec, List<String> undescribed) {
        String where = spec.qualifiedName();
        if (blank(spec.usageMessage().description())
                && blank(spec.usageMessage().header())) {
            undescribed.add(where);
        }
        int checked = 1;
        for (OptionSpec option : spec.options()) {
            checked++;
            if (!option.hidden() && blank(option.description())) {
                undescribed.add(where + " option " + option.longestName());
            }
        }
        for (ArgSpec parameter : spec.positionalParameters()) {
            checked++;
            if (!parameter.hidden() && blank(parameter.description())) {
                undescribed.add(where + " parameter " + parameter.paramLabel());
            }
        }
        return checked;
    }

    private static Set<CommandLine> commands(CommandLine root) {
        Set<CommandLine> all = new LinkedHashSet<>();
        all.add(root);
        for (CommandLine sub : root.getSubcommands().values()) {
            all.addAll(commands(sub));
        }
        return all;
    }

    private static boolean blank(String[] lines) {
        return lines == null || String.join("", lines).isBlank();
    }
}
