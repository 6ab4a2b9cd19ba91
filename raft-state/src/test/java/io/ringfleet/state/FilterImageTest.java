package io.ringfleet.state;

import static io.ringfleet.state.testing.Commands.addFilterRule;
import static io.ringfleet.state.testing.Commands.deleteFilterRule;
import static io.ringfleet.state.testing.Commands.dropDns;
import static io.ringfleet.state.testing.Commands.dropFrom;
import static io.ringfleet.state.testing.Commands.setFilterRuleMode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ringfleet.api.BatchAudited;
import io.ringfleet.api.Command;
import io.ringfleet.api.FilterAction;
import io.ringfleet.api.FilterConditions;
import io.ringfleet.api.FilterMode;
import io.ringfleet.api.FilterPortRange;
import io.ringfleet.api.FilterRate;
import io.ringfleet.api.FilterRuleAdded;
import io.ringfleet.api.FilterRuleEntry;
import io.ringfleet.api.FilterRuleRemoved;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.snapshot.SnapshotFormatException;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The pre-filter rules in the image: replay is deterministic (same log, same digest; snapshot round trip at every
 * index), the digest covers every field of every rule, the same batch on equal states gives equal digests, and
 * replay refuses records that do not fit (or rules in a fleet below version 5).
 */
class FilterImageTest {
    private static final int V5 = FleetVersions.Rule.PRE_FILTER.version();

    /** A log of every kind of rule and change, one entry per element. */
    private static List<Command[]> history() {
        List<Command[]> entries = new ArrayList<>();
        entries.add(new Command[] {
            addFilterRule(dropFrom("chargen", "198.51.100.0/24")
                    .setConditions(FilterConditions.newBuilder()
                            .setProtocol(17)
                            .setSourcePorts(
                                    FilterPortRange.newBuilder().setFrom(19).setTo(19)))),
            addFilterRule(dropDns("flood", "*.Flood.example", 0)
                    .setOtherPrefix("203.0.113.53/32")
                    .setMode(FilterMode.FILTER_OBSERVE)),
        });
        entries.add(new Command[] {
            addFilterRule(dropFrom("syn", "203.0.113.0/24")
                    .clearSourcePrefix()
                    .setDestinationPrefix("203.0.113.0/24")
                    .setPriority(5)
                    .setConditions(FilterConditions.newBuilder()
                            .setProtocol(6)
                            .setTcpFlagsMask(0x12)
                            .setTcpFlagsValue(0x02))
                    .setAction(FilterAction.FILTER_RATE_LIMIT)
                    .setRate(FilterRate.newBuilder()
                            .setPacketsPerSecondPerCpu(50_000)
                            .setOverRate(FilterAction.FILTER_DROP)))
        });
        entries.add(new Command[] {addFilterRule(dropFrom("v6", "2001:db8::/32").setOtherPrefix("2001:db8:1::/48"))});
        entries.add(new Command[] {setFilterRuleMode("flood", FilterMode.FILTER_ENFORCE)});
        entries.add(new Command[] {deleteFilterRule("chargen"), addFilterRule(dropFrom("big", "100.64.0.0/10"))});
        entries.add(new Command[] {
            addFilterRule(dropDns("any-a", "exact.example", 1).setAction(FilterAction.FILTER_PASS))
        });
        return entries;
    }

    private static CommandLog logged() {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V5);
        history().forEach(log::apply);
        return log;
    }

    @Test
    void theSameLogGivesTheSameImageAndDigestAtEveryIndex() {
        CommandLog a = new CommandLog(FleetLimits.DEFAULT, V5);
        CommandLog b = new CommandLog(FleetLimits.DEFAULT, V5);
        for (Command[] entry : history()) {
            a.apply(entry);
            b.apply(entry);
            assertEquals(a.image(), b.image());
            assertEquals(a.image().digestHex(), b.image().digestHex());
        }
        assertEquals(5, a.image().filters().size());
        assertEquals(2, a.image().filters().dnsCount());
    }

    @Test
    void aSnapshotRoundTripsAtEveryIndex() throws SnapshotFormatException {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V5);
        for (Command[] entry : history()) {
            log.apply(entry);
            FleetImage image = log.image();
            FleetImage read = SnapshotCodec.decode(SnapshotCodec.encode(image));
            assertEquals(image, read, "state and provenance");
            assertEquals(image.filters(), read.filters());
            assertEquals(image.digestHex(), read.digestHex());
            assertEquals(image.history(), read.history(), "audit trail");
        }
        long inSnapshot = SnapshotCodec.toRecords(log.image()).stream()
                .filter(FleetRecord::hasFilterRuleAdded)
                .count();
        assertEquals(log.image().filters().size(), inSnapshot, "one FilterRuleAdded per rule");
    }

    @Test
    void replayingTheRecordsOfEachEntryGivesTheSameImage() {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V5);
        List<FleetRecord> records = new ArrayList<>(SnapshotCodec.toRecords(log.image()));
        for (Command[] entry : history()) {
            records.addAll(log.submit(entry).records());
        }
        FleetImage replayed = SnapshotCodec.fromRecords(
                records, log.image().provenance(), log.image().stateIndex());
        assertTrue(replayed.sameStateAs(log.image()));
        assertEquals(log.image().digestHex(), replayed.digestHex());
    }

    @Test
    void theDigestCoversEveryFieldOfEveryRule() {
        FleetImage base = new CommandLog(FleetLimits.DEFAULT, V5).image();
        FilterRuleEntry rule = FilterRuleEntry.newBuilder()
                .setRuleNum(1)
                .setName("r")
                .setPriority(1)
                .setSourcePrefix(prefix("10.0.0.0", 8))
                .setOtherPrefix(prefix("192.0.2.0", 24))
                .setConditions(FilterConditions.newBuilder()
                        .setProtocol(6)
                        .setSourcePorts(FilterPortRange.newBuilder().setFrom(1).setTo(2))
                        .setDestinationPorts(
                                FilterPortRange.newBuilder().setFrom(3).setTo(4))
                        .setTcpFlagsMask(3)
                        .setTcpFlagsValue(1)
                        .setLengthMin(5)
                        .setLengthMax(6))
                .setAction(FilterAction.FILTER_RATE_LIMIT)
                .setRate(FilterRate.newBuilder()
                        .setPacketsPerSecondPerCpu(7)
                        .setBytesPerSecondPerCpu(8)
                        .setOverRate(FilterAction.FILTER_DROP))
                .setMode(FilterMode.FILTER_ENFORCE)
                .build();
        String with = withRule(base, rule).digestHex();
        assertNotEquals(base.digestHex(), with, "a rule is state");
        List<UnaryOperator<FilterRuleEntry.Builder>> changes = List.of(
                r -> r.setRuleNum(2),
                r -> r.setName("s"),
                r -> r.setPriority(2),
                r -> r.setSourcePrefix(prefix("11.0.0.0", 8)),
                r -> r.setSourcePrefix(prefix("10.0.0.0", 9)),
                r -> r.setDestinationPrefix(prefix("10.0.0.0", 8)),
                r -> r.clearOtherPrefix(),
                r -> r.setOtherPrefix(prefix("192.0.3.0", 24)),
                r -> r.setConditions(r.getConditions().toBuilder().setProtocol(0)),
                r -> r.setConditions(r.getConditions().toBuilder().clearSourcePorts()),
                r -> r.setConditions(r.getConditions().toBuilder()
                        .setSourcePorts(FilterPortRange.newBuilder().setFrom(1).setTo(3))),
                r -> r.setConditions(r.getConditions().toBuilder().clearDestinationPorts()),
                r -> r.setConditions(r.getConditions().toBuilder()
                        .setDestinationPorts(
                                FilterPortRange.newBuilder().setFrom(2).setTo(4))),
                r -> r.setConditions(r.getConditions().toBuilder().setTcpFlagsMask(7)),
                r -> r.setConditions(r.getConditions().toBuilder().setTcpFlagsValue(2)),
                r -> r.setConditions(r.getConditions().toBuilder().setLengthMin(4)),
                r -> r.setConditions(r.getConditions().toBuilder().setLengthMax(7)),
                r -> r.setRate(r.getRate().toBuilder().setPacketsPerSecondPerCpu(9)),
                r -> r.setRate(r.getRate().toBuilder().setBytesPerSecondPerCpu(9)),
                r -> r.setRate(r.getRate().toBuilder().setOverRate(FilterAction.FILTER_PASS)),
                r -> r.setAction(FilterAction.FILTER_DROP).clearRate(),
                r -> r.setMode(FilterMode.FILTER_OBSERVE));
        for (int i = 0; i < changes.size(); i++) {
            FilterRuleEntry changed = changes.get(i).apply(rule.toBuilder()).build();
            assertNotEquals(with, withRule(base, changed).digestHex(), "change " + i + ": " + changed);
        }
        FilterRuleEntry dns = rule.toBuilder()
                .setDns(io.ringfleet.api.DnsQueryMatch.newBuilder()
                        .setPattern("a.example")
                        .setQtype(1))
                .setConditions(FilterConditions.newBuilder().setProtocol(17))
                .build();
        String dnsDigest = withRule(base, dns).digestHex();
        assertNotEquals(
                dnsDigest,
                withRule(
                                base,
                                dns.toBuilder()
                                        .setDns(dns.getDns().toBuilder().setQtype(2))
                                        .build())
                        .digestHex());
        assertNotEquals(
                dnsDigest,
                withRule(
                                base,
                                dns.toBuilder()
                                        .setDns(dns.getDns().toBuilder().setPattern("*.a.example"))
                                        .build())
                        .digestHex());
    }

    @Test
    void removingTheLastRuleGivesBackTheDigestOfAFleetWithout() {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V5);
        String without = log.image().digestHex();
        log.apply(addFilterRule(dropFrom("a", "10.0.0.0/8")));
        assertNotEquals(without, log.image().digestHex());
        log.apply(deleteFilterRule("a"));
        assertEquals(without, log.image().digestHex(), "no rules: no filter section, as before version 5");
    }

    /**
     * Two replicas whose states are equal but got there by different entries (different rules came and went) apply
     * the same batch: equal records, equal digests.
     */
    @Test
    void theSameBatchOnEqualStatesGivesEqualDigests() {
        CommandLog a = new CommandLog(FleetLimits.DEFAULT, V5);
        a.apply(addFilterRule(dropFrom("gone", "10.0.0.0/8")), addFilterRule(dropFrom("kept", "11.0.0.0/8")));
        a.apply(deleteFilterRule("gone"));
        CommandLog b = new CommandLog(FleetLimits.DEFAULT, V5);
        b.apply(addFilterRule(dropDns("other", "x.example", 0)));
        b.apply(addFilterRule(dropFrom("kept", "11.0.0.0/8")), deleteFilterRule("other"));
        assertTrue(a.image().sameStateAs(b.image()));
        assertEquals(a.image().digestHex(), b.image().digestHex());
        Command[] batch = {
            addFilterRule(dropFrom("new", "12.0.0.0/8")),
            addFilterRule(dropDns("dns", "*.y.example", 28)),
            setFilterRuleMode("kept", FilterMode.FILTER_OBSERVE)
        };
        assertEquals(a.submit(batch).records(), b.submit(batch).records());
        assertEquals(a.image().digestHex(), b.image().digestHex());
        assertEquals(1, a.image().filters().named("new").orElseThrow().ruleNum(), "the freed number, on both");
    }

    @Test
    void everyChangeIsInTheAuditTrailWithItsPrincipal() {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V5).as("ops-alice");
        log.apply(addFilterRule(dropFrom("a", "10.0.0.0/8")));
        log.submit(addFilterRule(dropFrom("a", "11.0.0.0/8")));
        List<BatchAudited> trail = log.image().history().newest(2);
        assertEquals(ReplyCode.ALREADY_EXISTS, trail.get(0).getCode());
        assertTrue(trail.get(0).getMessage().contains("a filter rule named a already exists"));
        assertEquals(ReplyCode.OK, trail.get(1).getCode());
        assertEquals("ops-alice", trail.get(1).getPrincipal());
    }

    @Test
    void replayRefusesRecordsThatDoNotFit() {
        FleetImage image = logged().image();
        FilterRuleEntry taken = image.filters().named("syn").orElseThrow().entry();
        FilterRuleEntry fresh =
                taken.toBuilder().setRuleNum(99).setName("fresh").build();
        refusedOn(
                image,
                added(taken.toBuilder().setName("other").build()),
                "filter rule number " + taken.getRuleNum() + " is already in use");
        refusedOn(image, added(fresh.toBuilder().setName("syn").build()), "a filter rule named syn already exists");
        FilterRuleEntry flood = image.filters().named("flood").orElseThrow().entry();
        refusedOn(image, added(flood.toBuilder().setRuleNum(98).setName("f2").build()), "dns pattern *.flood.example");
        refusedOn(
                image,
                added(fresh.toBuilder()
                        .setDestinationPrefix(prefix("10.0.0.1", 8))
                        .build()),
                "host bits");
        refusedOn(image, added(fresh.toBuilder().setRuleNum(0).build()), "rule_num 0 is not 1..16383");
        refusedOn(
                image,
                added(fresh.toBuilder()
                        .setDns(flood.getDns().toBuilder().setPattern("UPPER.example"))
                        .build()),
                "is not canonical");
        refusedOn(
                image,
                FleetRecord.newBuilder()
                        .setFilterRuleRemoved(FilterRuleRemoved.newBuilder().setRuleNum(77))
                        .build(),
                "filter rule number 77 is not in use");
    }

    @Test
    void rulesInAFleetBelowVersionFiveStopReplay() {
        List<FleetRecord> records =
                new ArrayList<>(SnapshotCodec.toRecords(new CommandLog(FleetLimits.DEFAULT, V5 - 1).image()));
        records.add(added(logged().image().filters().named("syn").orElseThrow().entry()));
        ReplayException e =
                assertThrows(ReplayException.class, () -> SnapshotCodec.fromRecords(records, new Provenance(1, 9), 9));
        assertTrue(e.getMessage().contains("pre-filter rules in a fleet below version 5"), e.getMessage());
        // Control: the same records with the fleet at version 5 replay.
        List<FleetRecord> atFive =
                new ArrayList<>(SnapshotCodec.toRecords(new CommandLog(FleetLimits.DEFAULT, V5).image()));
        atFive.add(records.get(records.size() - 1));
        assertFalse(SnapshotCodec.fromRecords(atFive, new Provenance(1, 9), 9)
                .filters()
                .isEmpty());
    }

    @Test
    void aValidatorOfOlderSoftwareCannotApplyAVersionFiveFleet() {
        FleetImage image = logged().image();
        BatchApplier older = new BatchApplier(new CommandValidator(V5 - 1));
        assertThrows(
                UnsupportedFleetVersionException.class,
                () -> older.apply(
                        image, Commands.batch(addFilterRule(dropFrom("z", "13.0.0.0/8"))), new Provenance(1, 99)));
    }

    private static void refusedOn(FleetImage image, FleetRecord record, String says) {
        FleetDelta delta = new FleetDelta(image);
        ReplayException e = assertThrows(ReplayException.class, () -> delta.replay(record));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    private static FleetImage withRule(FleetImage base, FilterRuleEntry rule) {
        FleetDelta delta = new FleetDelta(base);
        delta.replay(added(rule));
        FleetImage next = delta.apply(new Provenance(1, base.index() + 1));
        assertArrayEquals(next.digest(), next.digest());
        return next;
    }

    private static FleetRecord added(FilterRuleEntry rule) {
        return FleetRecord.newBuilder()
                .setFilterRuleAdded(FilterRuleAdded.newBuilder().setRule(rule))
                .build();
    }

    private static io.ringfleet.api.FilterPrefix prefix(String address, int length) {
        return io.ringfleet.api.FilterPrefix.newBuilder()
                .setAddress(ByteString.copyFrom(IpAddress.parse(address).bytes()))
                .setLength(length)
                .build();
    }
}
