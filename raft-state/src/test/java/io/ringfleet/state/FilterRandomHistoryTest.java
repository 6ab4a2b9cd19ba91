package io.ringfleet.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FilterAction;
import io.ringfleet.api.FilterMode;
import io.ringfleet.api.FilterRuleSpec;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandResult;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.command.ErrorCode;
import io.ringfleet.state.filter.FilterLimits;
import io.ringfleet.state.filter.FilterPrefix;
import io.ringfleet.state.filter.FilterRule;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.snapshot.SnapshotFormatException;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random histories of pre-filter commands (valid and invalid, few names and nested prefixes, so duplicates,
 * missing names and full chains happen). After every entry: the image equals the replay of every record so far from
 * the bootstrap and its snapshot round trip, and its indexes agree with a naive recount; every accepted add keeps
 * every chain within {@link FilterLimits#CHAIN_LENGTH} and every chain refusal really would have exceeded it (a
 * brute-force count over all rules, independent of {@code FilterRules}' prefix-count walk). A failure names its seed.
 */
class FilterRandomHistoryTest {
    private static final int STEPS = 300;
    private static final String[] PREFIXES = {
        "0.0.0.0/0",
        "10.0.0.0/8",
        "10.0.0.0/16",
        "10.0.0.0/24",
        "10.0.0.0/28",
        "10.0.0.1/32",
        "10.0.1.0/24",
        "10.128.0.0/9",
        "2001:db8::/32",
        "2001:db8::/48",
        "2001:db8::1/128",
        "10.0.0.1/8"
    };
    /** One nest of prefixes: source rules mostly pick from it, so chains fill up. */
    private static final String[] NESTED = {
        "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/28", "10.0.0.1/32"
    };

    private static final String[] PATTERNS = {"a.example", "*.example", "*.a.example", "B.Example.", "*.*.x"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 17, 42, 2026, -9})
    void everyEntryReplaysAndKeepsTheDatapathsLimits(long seed) throws SnapshotFormatException {
        Random rnd = new Random(seed);
        BatchApplier applier = new BatchApplier(new CommandValidator());
        FleetImage image = FleetImage.EMPTY;
        List<FleetRecord> records = new ArrayList<>();
        int[] outcomes = new int[3];
        for (int step = 1; step <= STEPS; step++) {
            CommandBatch batch = step == 1
                    ? Commands.batch(Commands.bootstrap(FleetLimits.DEFAULT, FleetVersions.SUPPORTED))
                    : batch(rnd, step);
            BatchApplier.Applied applied = applier.apply(image, batch, new Provenance(1, step));
            String where = "seed " + seed + " step " + step + " " + applied.result();
            CommandResult result = applied.result();
            if (result.isOk()) {
                records.addAll(result.records());
            } else {
                assertTrue(applied.image().sameStateAs(image), where + ": a rejection changes nothing");
                outcomes[2] += checkChainRefusal(image, batch, result, where) ? 1 : 0;
            }
            outcomes[result.isOk() ? 0 : 1]++;
            image = applied.image();
            checkIndexes(image, where);
            checkChains(image, where);
            FleetImage replayed = SnapshotCodec.fromRecords(records, image.provenance(), image.stateIndex());
            assertEquals(image.digestHex(), replayed.digestHex(), where + ": replay of the records");
            assertEquals(image, SnapshotCodec.decode(SnapshotCodec.encode(image)), where + ": snapshot");
        }
        assertTrue(
                outcomes[0] > STEPS / 5 && outcomes[1] > STEPS / 10 && outcomes[2] > 0,
                "seed " + seed + ": a useful mix, got " + outcomes[0] + " applied and " + outcomes[1] + " rejected, "
                        + outcomes[2] + " for a chain");
        System.out.println("filter-random-history: seed " + seed + ", " + STEPS + " entries (" + outcomes[0]
                + " applied, " + outcomes[1] + " rejected, " + outcomes[2] + " of them for a chain over "
                + FilterLimits.CHAIN_LENGTH + "), " + image.filters().size() + " rules at the end, replay"
                + " and snapshot equal at every entry");
    }

    private static CommandBatch batch(Random rnd, int step) {
        List<Command> commands = new ArrayList<>();
        int n = rnd.nextInt(4) == 0 ? 2 : 1;
        for (int i = 0; i < n; i++) {
            commands.add(command(rnd));
        }
        String principal = rnd.nextInt(30) == 0 ? "agent:lb1" : "op" + rnd.nextInt(2);
        return Commands.batch(principal, "req-" + step, commands.toArray(Command[]::new));
    }

    private static Command command(Random rnd) {
        String name = "r" + rnd.nextInt(30);
        int roll = rnd.nextInt(20);
        if (roll < 14) {
            return Commands.addFilterRule(rule(rnd, name));
        }
        if (roll < 17) {
            return Commands.deleteFilterRule(name);
        }
        return Commands.setFilterRuleMode(
                name, rnd.nextBoolean() ? FilterMode.FILTER_ENFORCE : FilterMode.FILTER_OBSERVE);
    }

    private static FilterRuleSpec.Builder rule(Random rnd, String name) {
        FilterRuleSpec.Builder b = FilterRuleSpec.newBuilder()
                .setName(name)
                .setPriority(rnd.nextInt(4))
                .setAction(rnd.nextInt(16) == 0 ? FilterAction.FILTER_RATE_LIMIT : FilterAction.FILTER_DROP)
                .setMode(rnd.nextBoolean() ? FilterMode.FILTER_ENFORCE : FilterMode.FILTER_OBSERVE);
        switch (rnd.nextInt(6)) {
            case 0, 1, 2 ->
                b.setSourcePrefix(
                        rnd.nextInt(4) != 0
                                ? NESTED[rnd.nextInt(NESTED.length)]
                                : PREFIXES[rnd.nextInt(PREFIXES.length)]);
            case 3, 4 -> b.setDestinationPrefix(PREFIXES[rnd.nextInt(PREFIXES.length)]);
            default ->
                b.setDns(io.ringfleet.api.DnsQueryMatch.newBuilder()
                        .setPattern(PATTERNS[rnd.nextInt(PATTERNS.length)])
                        .setQtype(rnd.nextInt(2)));
        }
        return b; // a rate-limit rule without a rate is one of the invalid ones
    }

    /** The image's indexes (names, DNS keys, prefix counts) are what its rules say. */
    private static void checkIndexes(FleetImage image, String where) {
        FilterImage f = image.filters();
        int dns = 0;
        for (FilterRule r : f.all()) {
            assertEquals(r, f.named(r.name()).orElseThrow(), where);
            if (r.dns().isPresent()) {
                dns++;
                assertEquals(r, f.dnsRule(r.dns().get()).orElseThrow(), where);
            }
        }
        assertEquals(dns, f.dnsCount(), where);
        for (FilterRule.Side side : List.of(FilterRule.Side.SOURCE, FilterRule.Side.DESTINATION)) {
            TreeMap<FilterPrefix, Integer> counted = new TreeMap<>();
            f.all().stream()
                    .filter(r -> r.side() == side)
                    .forEach(r -> counted.merge(r.prefix().orElseThrow(), 1, Integer::sum));
            assertEquals(counted, new TreeMap<>(f.prefixCounts(side)), where + " " + side);
        }
    }

    /** Every prefix rule's chain, counted over all rules of its side. */
    private static void checkChains(FleetImage image, String where) {
        for (FilterRule r : image.filters().all()) {
            if (r.prefix().isPresent()) {
                int length =
                        bruteChain(image.filters().all(), r.side(), r.prefix().get());
                assertTrue(length <= FilterLimits.CHAIN_LENGTH, where + ": chain of " + r + " is " + length);
            }
        }
    }

    /** A chain refusal is right: with the refused rule added to the rules before it, some chain exceeds 8. */
    private static boolean checkChainRefusal(FleetImage image, CommandBatch batch, CommandResult result, String where) {
        var why = result.rejection().orElseThrow();
        if (why.code() != ErrorCode.FAILED_PRECONDITION || !why.message().contains("rules (its own and those of")) {
            return false;
        }
        // Apply the commands before the refused one, then count with the refused rule's prefix added.
        BatchApplier applier = new BatchApplier(new CommandValidator());
        FleetImage before = image;
        if (why.commandIndex() > 0) {
            CommandBatch earlier = batch.toBuilder()
                    .clearCommands()
                    .addAllCommands(batch.getCommandsList().subList(0, why.commandIndex()))
                    .build();
            before = applier.apply(image, earlier, new Provenance(1, image.index() + 1))
                    .image();
        }
        FilterRuleSpec refused =
                batch.getCommands(why.commandIndex()).getAddFilterRule().getRule();
        FilterRule.Side side = refused.hasSourcePrefix() ? FilterRule.Side.SOURCE : FilterRule.Side.DESTINATION;
        FilterPrefix added = FilterPrefix.parse(
                side == FilterRule.Side.SOURCE ? refused.getSourcePrefix() : refused.getDestinationPrefix());
        List<FilterPrefix> prefixes = new ArrayList<>();
        before.filters().all().stream()
                .filter(r -> r.side() == side)
                .forEach(r -> prefixes.add(r.prefix().get()));
        prefixes.add(added);
        int worst = 0;
        for (FilterPrefix p : prefixes) {
            worst = Math.max(
                    worst, (int) prefixes.stream().filter(q -> q.covers(p)).count());
        }
        assertTrue(worst > FilterLimits.CHAIN_LENGTH, where + ": refused, but the longest chain would be " + worst);
        return true;
    }

    private static int bruteChain(Iterable<FilterRule> rules, FilterRule.Side side, FilterPrefix prefix) {
        int n = 0;
        for (FilterRule r : rules) {
            if (r.side() == side && r.prefix().orElseThrow().covers(prefix)) {
                n++;
            }
        }
        return n;
    }
}
