package io.ringfleet.state.command;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.batch;
import static io.ringfleet.state.testing.Commands.clearDown;
import static io.ringfleet.state.testing.Commands.drain;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.markDown;
import static io.ringfleet.state.testing.Commands.modifyFlags;
import static io.ringfleet.state.testing.Commands.removeHealthCheck;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.removeRealsIfPresent;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setHash;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.undrain;
import static io.ringfleet.state.testing.Commands.unmapQuic;
import static io.ringfleet.state.testing.Commands.upsertReals;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.AddVip;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandValidatorTest {
    static final VipKey WEB = vip("10.200.1.1", 80, TCP);
    static final VipKey DNS = vip("10.200.1.1", 53, UDP);
    static final VipKey WEB6 = vip("fc00:1::1", 80, TCP);

    /** Applies the commands expecting a rejection; checks the batch left the state alone. */
    static Rejection rejected(CommandLog fleet, Command... commands) {
        FleetImage before = fleet.image();
        CommandResult r = fleet.submit(commands);
        assertTrue(!r.isOk(), "expected a rejection, got " + r);
        assertTrue(r.records().isEmpty(), "a rejected batch emits no record");
        assertTrue(fleet.image().sameStateAs(before), "a rejected batch changes nothing");
        assertEquals(before.stateIndex(), fleet.image().stateIndex());
        return r.rejection().orElseThrow();
    }

    static void assertRejected(ErrorCode code, String detail, CommandLog fleet, Command... commands) {
        Rejection r = rejected(fleet, commands);
        assertEquals(detail, r.detail());
        assertEquals(code, r.code(), r.message());
    }

    static CommandLog webFleet() {
        CommandLog fleet = new CommandLog();
        fleet.apply(
                addVip(WEB),
                addReals(WEB, "10.0.0.1=1", "10.0.0.2=1"),
                addVip(WEB6),
                addVip(DNS, VipFlags.UDP_FLOW_MIGRATION));
        return fleet;
    }

    // ---- batch ----

    @Test
    void anEmptyBatchIsRejected() {
        Rejection r = rejected(new CommandLog());
        assertEquals(ErrorCode.INVALID_ARGUMENT, r.code());
        assertEquals(-1, r.commandIndex());
        assertEquals("the batch has no commands: send at least one", r.message());
    }

    @Test
    void aStaleExpectedStateIndexIsAFailedPrecondition() {
        CommandLog fleet = new CommandLog();
        fleet.apply(addVip(WEB));
        fleet.apply(addVip(DNS));
        CommandBatch stale =
                batch(removeVip(WEB)).toBuilder().setExpectedStateIndex(1).build();
        CommandResult r = fleet.submit(stale);
        assertEquals(ErrorCode.FAILED_PRECONDITION, r.rejection().orElseThrow().code());
        assertEquals(
                "expected state index 1 but the state is at index 2: it changed since it was read; read it again"
                        + " and retry",
                r.rejection().orElseThrow().message());

        CommandBatch fresh = batch(removeVip(WEB)).toBuilder()
                .setExpectedStateIndex(fleet.image().stateIndex())
                .build();
        assertTrue(fleet.submit(fresh).isOk(), "a rejected entry does not move the state index");
    }

    @Test
    void anExpectedStateIndexOf2To63OrMoreIsStaleNotMatched() {
        CommandLog fleet = new CommandLog();
        fleet.apply(addVip(WEB));
        // uint64 2^64-1 and 2^63 as Java longs: compared for equality, so never taken as the state's index.
        for (long expected : new long[] {-1L, Long.MIN_VALUE}) {
            CommandResult r = fleet.submit(batch(removeVip(WEB)).toBuilder()
                    .setExpectedStateIndex(expected)
                    .build());
            assertEquals(
                    ErrorCode.FAILED_PRECONDITION, r.rejection().orElseThrow().code());
            assertEquals(
                    "expected state index " + Long.toUnsignedString(expected) + " but the state is at index 1: it"
                            + " changed since it was read; read it again and retry",
                    r.rejection().orElseThrow().message());
        }
        assertEquals(1, fleet.image().vips().size());
    }

    @Test
    void aBatchIsAllOrNothingAndSaysWhichCommandFailed() {
        CommandLog fleet = new CommandLog();
        Rejection r = rejected(fleet, addVip(WEB), addReals(WEB, "10.0.0.1=1"), addReals(WEB, "10.0.0.2=70000"));
        assertEquals(2, r.commandIndex());
        assertEquals(
                "command 2 (add_reals): weight 70000 of real 10.0.0.2 is out of range: allowed 0..65535 (0 keeps"
                        + " the real in the vip but out of its ring)",
                r.message());
        assertTrue(fleet.image().vips().isEmpty() && fleet.image().reals().isEmpty());
    }

    @Test
    void laterCommandsSeeWhatEarlierCommandsOfTheBatchDid() {
        CommandLog fleet = new CommandLog();
        FleetImage image = fleet.apply(
                addVip(WEB), addReals(WEB, "10.0.0.1=1"), removeVip(WEB), addVip(WEB), addReals(WEB, "10.0.0.2=1"));
        assertEquals(
                List.of(1), List.copyOf(image.reals().indexes()), "index 1 was freed with the first vip, then reused");
        assertEquals("10.0.0.2", image.reals().get(1).orElseThrow().address().toString());
    }

    @Test
    void aCommandWithNoOperationIsRejected() {
        Rejection r = rejected(new CommandLog(), Command.getDefaultInstance());
        assertEquals(
                "command 0 (kind_not_set): the command has no operation set (or one this version does not know)",
                r.message());
    }

    @Test
    void theReplyCarriesCodeMessageAndRecords() {
        CommandLog fleet = new CommandLog();
        BatchReply ok = fleet.submit(addVip(WEB)).toReply(1, 1);
        assertEquals(ReplyCode.OK, ok.getCode());
        assertEquals(1, ok.getRecordsCount());
        assertEquals(-1, ok.getFailedCommandIndex());
        BatchReply no = fleet.submit(addVip(WEB)).toReply(2, 1);
        assertEquals(ReplyCode.ALREADY_EXISTS, no.getCode());
        assertEquals(6, no.getCodeValue(), "the gRPC status code");
        assertEquals("command 0 (add_vip): vip 10.200.1.1:80/tcp already exists (vip_num 0)", no.getMessage());
        assertEquals(0, no.getFailedCommandIndex());
    }

    // ---- VIPs ----

    @Test
    void vipAddressesMustBeWellFormedHostAddresses() {
        CommandLog fleet = new CommandLog();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address \"10.0.0.256\" is not a valid IP address (IPv4 octet 256"
                        + " is above 255): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets",
                fleet,
                addVip(vip("10.0.0.256", 80, TCP)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address \"fe80::1%eth0\" is not a valid IP address (unexpected"
                        + " character '%'): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets",
                fleet,
                addVip(vip("fe80::1%eth0", 80, TCP)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address 0.0.0.0 is the unspecified address: give a host address",
                fleet,
                addVip(vip("0.0.0.0", 80, TCP)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address \"::ffff:10.0.0.1\" is an IPv4-mapped IPv6 address: write it as"
                        + " the IPv4 address 10.0.0.1",
                fleet,
                addVip(vip("::ffff:10.0.0.1", 80, TCP)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip is missing: give its address, port (0..65535) and protocol (TCP or" + " UDP)",
                fleet,
                Command.newBuilder().setAddVip(AddVip.getDefaultInstance()).build());
    }

    @Test
    void vipPortIs0To65535AndProtocolIsTcpOrUdp() {
        CommandLog fleet = new CommandLog();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip port 65536 is out of range: allowed 0..65535 (0 = all ports)",
                fleet,
                addVip(vip("10.200.1.1", 65536, TCP)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip protocol is missing: allowed TCP (6) or UDP (17)",
                fleet,
                addVip(vip("10.200.1.1", 80, io.ringfleet.api.Protocol.PROTOCOL_UNSPECIFIED)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip protocol 1 is not supported: allowed TCP (6) or UDP (17)",
                fleet,
                addVip(vip("10.200.1.1", 80, TCP).toBuilder()
                        .setProtocolValue(1)
                        .build()));
        fleet.apply(addVip(vip("10.200.1.2", 0, TCP)), addVip(vip("10.200.1.2", 65535, UDP)));
    }

    @Test
    void vipFlagsMustBeKnownBitsAndUdpOnlyFlagsNeedUdp() {
        CommandLog fleet = new CommandLog();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "flags 0x401 include unknown bits 0x400: allowed bits are 0x3ff"
                        + " (hash_no_src_port 0x1, lru_bypass 0x2, quic_vip 0x4, hash_dport_only 0x8, src_routing 0x10, local_vip 0x20,"
                        + " global_lru 0x40, hash_src_dst_port 0x80, udp_stable_routing 0x100, udp_flow_migration 0x200)",
                fleet,
                addVip(WEB, 0x401));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "flag quic_vip needs a UDP vip, but vip 10.200.1.1:80/tcp is TCP",
                fleet,
                addVip(WEB, VipFlags.QUIC_VIP));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "flags udp_stable_routing, udp_flow_migration need a UDP vip, but vip" + " 10.200.1.1:80/tcp is TCP",
                fleet,
                addVip(WEB, VipFlags.UDP_STABLE_ROUTING | VipFlags.UDP_FLOW_MIGRATION));
        fleet.apply(
                addVip(DNS, VipFlags.QUIC_VIP | VipFlags.UDP_FLOW_MIGRATION), addVip(WEB, VipFlags.HASH_DPORT_ONLY));
    }

    @Test
    void hashFunctionIsMaglevOrMaglevV2() {
        CommandLog fleet = new CommandLog();
        Command bad = Command.newBuilder()
                .setAddVip(AddVip.newBuilder().setVip(WEB).setHashFunctionValue(7))
                .build();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "hash function 7 is not supported: allowed MAGLEV (0) or MAGLEV_V2 (1)",
                fleet,
                bad);
        FleetImage image = fleet.apply(addVip(WEB), setHash(WEB, io.ringfleet.api.HashFunction.MAGLEV_V2));
        assertEquals(
                io.ringfleet.state.HashFunction.MAGLEV_V2,
                image.vips().all().iterator().next().hashFunction());
    }

    @Test
    void aVipAddedWithoutAHashFunctionGetsTheFleetDefault() {
        FleetLimits v2Fleet = FleetLimits.builder()
                .defaultHashFunction(io.ringfleet.state.HashFunction.MAGLEV_V2)
                .build();
        CommandLog fleet = new CommandLog(v2Fleet);
        Command explicitV1 = Command.newBuilder()
                .setAddVip(AddVip.newBuilder().setVip(DNS).setHashFunction(io.ringfleet.api.HashFunction.MAGLEV))
                .build();
        CommandResult r = fleet.submit(addVip(WEB), explicitV1);
        assertTrue(r.isOk(), r.toString());
        assertEquals(
                io.ringfleet.api.HashFunction.MAGLEV_V2,
                r.records().get(0).getVipAdded().getHashFunction(),
                "the resolved default is written into the record");
        assertEquals(
                io.ringfleet.api.HashFunction.MAGLEV,
                r.records().get(1).getVipAdded().getHashFunction(),
                "an explicit MAGLEV is kept, not taken for unset");
        assertEquals(
                io.ringfleet.state.HashFunction.MAGLEV_V2,
                fleet.image().vips().get(0).orElseThrow().hashFunction());
        assertEquals(
                io.ringfleet.state.HashFunction.MAGLEV,
                fleet.image().vips().get(1).orElseThrow().hashFunction());

        CommandLog v1Fleet = new CommandLog();
        v1Fleet.apply(addVip(WEB));
        assertEquals(
                io.ringfleet.state.HashFunction.MAGLEV,
                v1Fleet.image().vips().get(0).orElseThrow().hashFunction());
    }

    @Test
    void theResolvedDefaultOutlivesAChangeOfTheDefault() throws Exception {
        CommandLog v2 = new CommandLog(FleetLimits.builder()
                .defaultHashFunction(io.ringfleet.state.HashFunction.MAGLEV_V2)
                .build());
        CommandResult r = v2.submit(addVip(WEB));
        // Records and snapshots carry the hash function: replaying them never reads the default.
        FleetImage replayed = SnapshotCodec.decode(SnapshotCodec.encode(v2.image()));
        assertEquals(
                io.ringfleet.state.HashFunction.MAGLEV_V2,
                replayed.vips().get(0).orElseThrow().hashFunction());
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        delta.replayAll(r.records());
        assertEquals(
                io.ringfleet.state.HashFunction.MAGLEV_V2,
                delta.apply(new Provenance(1, 1)).vips().get(0).orElseThrow().hashFunction());
    }

    @Test
    void aVipKeyExistsOnce() {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.ALREADY_EXISTS, "vip 10.200.1.1:80/tcp already exists (vip_num 0)", fleet, addVip(WEB));
        assertRejected(
                ErrorCode.ALREADY_EXISTS,
                "vip [fc00:1::1]:80/tcp already exists (vip_num 1)",
                fleet,
                addVip(vip("FC00:1:0::1", 80, TCP)));
    }

    @Test
    void unknownVipsAreNotFound() {
        CommandLog fleet = webFleet();
        VipKey ghost = vip("10.9.9.9", 80, TCP);
        for (Command c : List.of(
                removeVip(ghost),
                modifyFlags(ghost, 1, 0),
                addReals(ghost, "10.0.0.1=1"),
                removeReals(ghost, "10.0.0.1"),
                setWeights(ghost, "10.0.0.1=1"),
                markDown(ghost, "10.0.0.1"))) {
            assertRejected(ErrorCode.NOT_FOUND, "vip 10.9.9.9:80/tcp does not exist", fleet, c);
        }
    }

    @Test
    void vipCountIsBoundedByMaxVips() {
        CommandLog fleet = new CommandLog(FleetLimits.builder().maxVips(2).build());
        fleet.apply(addVip(WEB), addVip(DNS));
        assertRejected(
                ErrorCode.RESOURCE_EXHAUSTED,
                "no free vip number for vip 10.200.1.3:80/tcp: all 2 vip numbers" + " (0..1) are in use (max_vips 2)",
                fleet,
                addVip(vip("10.200.1.3", 80, TCP)));
    }

    @Test
    void theDefaultLimitIs512Vips() {
        CommandLog fleet = new CommandLog();
        List<Command> adds = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            adds.add(addVip(vip("10.1." + (i / 256) + "." + (i % 256), 80, TCP)));
        }
        FleetImage image = fleet.apply(adds.toArray(new Command[0]));
        assertEquals(511, image.vips().vipNums().last());
        assertRejected(
                ErrorCode.RESOURCE_EXHAUSTED,
                "no free vip number for vip 10.2.0.0:80/tcp: all 512 vip numbers"
                        + " (0..511) are in use (max_vips 512)",
                fleet,
                addVip(vip("10.2.0.0", 80, TCP)));
    }

    @Test
    void flagsAreSetAndClearedButNotBoth() {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "flags 0x4 (quic_vip) are both set and cleared: a bit may be in"
                        + " set_flags or in clear_flags, not both",
                fleet,
                modifyFlags(DNS, VipFlags.QUIC_VIP | 1, VipFlags.QUIC_VIP));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "clear_flags 0x800 include unknown bits 0x800: allowed bits are 0x3ff (" + VipFlags.ALLOWED + ")",
                fleet,
                modifyFlags(DNS, 0, 0x800));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "flag udp_flow_migration needs a UDP vip, but vip 10.200.1.1:80/tcp is" + " TCP",
                fleet,
                modifyFlags(WEB, VipFlags.UDP_FLOW_MIGRATION, 0));

        FleetImage image = fleet.apply(
                modifyFlags(DNS, VipFlags.QUIC_VIP | VipFlags.HASH_NO_SRC_PORT, VipFlags.UDP_FLOW_MIGRATION));
        assertEquals(
                VipFlags.QUIC_VIP | VipFlags.HASH_NO_SRC_PORT,
                image.vips().get(2).orElseThrow().flags());
        assertTrue(
                fleet.submit(modifyFlags(DNS, VipFlags.QUIC_VIP, 0)).records().isEmpty(),
                "setting what is set is a no-op");
    }

    // ---- reals ----

    @Test
    void anIpv6VipTakesOnlyIpv6RealsAndAnIpv4VipTakesBoth() {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "real 10.0.0.1 is IPv4 but vip [fc00:1::1]:80/tcp is IPv6: an IPv6 vip"
                        + " takes only IPv6 reals (an IPv4 vip takes both)",
                fleet,
                addReals(WEB6, "fc00::1=1", "10.0.0.1=1"));
        FleetImage image = fleet.apply(addReals(WEB, "fc00::1=1"), addReals(WEB6, "fc00::1=2"));
        assertEquals(
                2, image.reals().get(IpAddress.parse("fc00::1")).orElseThrow().references());
    }

    @Test
    void weightsAre0To65535() {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "weight 65536 of real 10.0.0.3 is out of range: allowed 0..65535 (0 keeps"
                        + " the real in the vip but out of its ring)",
                fleet,
                addReals(WEB, "10.0.0.3=65536"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "weight 4294967295 of real 10.0.0.1 is out of range: allowed 0..65535"
                        + " (0 keeps the real in the vip but out of its ring)",
                fleet,
                setWeights(WEB, "10.0.0.1=4294967295"));
        FleetImage image = fleet.apply(addReals(WEB, "10.0.0.3=0", "10.0.0.4=65535"));
        assertEquals(
                List.of(1, 1, 0, 65535),
                image.vips().get(0).orElseThrow().reals().stream()
                        .map(r -> r.weight())
                        .toList());
    }

    @Test
    void realAddressesMustBeWellFormedAndListedOnce() {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "real address \"10.0.0\" is not a valid IP address (an IPv4 address has"
                        + " exactly 4 octets): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets",
                fleet,
                addReals(WEB, "10.0.0=1"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "real 10.0.0.3 is listed twice",
                fleet,
                addReals(WEB, "10.0.0.3=1", "10.0.0.3=2"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "real 10.0.0.1 is listed twice",
                fleet,
                removeReals(WEB, "10.0.0.1", "10.0.0.1"));
        assertRejected(ErrorCode.INVALID_ARGUMENT, "add_reals needs at least one real", fleet, addReals(WEB));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT, "remove_reals needs at least one real address", fleet, removeReals(WEB));
    }

    @Test
    void addingAMemberTwiceIsAlreadyExistsUnlessUpdateExisting() {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.ALREADY_EXISTS,
                "real 10.0.0.1 is already in vip 10.200.1.1:80/tcp (weight 1): change"
                        + " weights with set_real_weights, or set update_existing",
                fleet,
                addReals(WEB, "10.0.0.1=1"));
        CommandResult r = fleet.submit(upsertReals(WEB, "10.0.0.1=5", "10.0.0.2=1", "10.0.0.3=1"));
        assertEquals(
                List.of(FleetRecord.KindCase.REALS_ADDED, FleetRecord.KindCase.REAL_WEIGHT_CHANGED),
                r.records().stream().map(FleetRecord::getKindCase).toList(),
                "10.0.0.2 is unchanged: no record for it");
        assertEquals(
                5,
                fleet.image().vips().get(0).orElseThrow().real(1).orElseThrow().weight());
    }

    @Test
    void removingOrReweightingANonMemberIsNotFound() {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.NOT_FOUND,
                "real 10.0.0.9 is not in vip 10.200.1.1:80/tcp",
                fleet,
                removeReals(WEB, "10.0.0.9"));
        assertRejected(
                ErrorCode.NOT_FOUND,
                "real 10.0.0.1 is not in vip 10.200.1.1:53/udp",
                fleet,
                setWeights(DNS, "10.0.0.1=3"));
        FleetImage image = fleet.apply(removeRealsIfPresent(WEB, "10.0.0.9", "10.0.0.2"));
        assertEquals(1, image.vips().get(0).orElseThrow().realCount());
    }

    @Test
    void the4095RealIndexesAreAllUsableAndIndex0IsReserved() {
        CommandLog fleet = new CommandLog();
        String[] specs = new String[4095];
        for (int i = 0; i < specs.length; i++) {
            specs[i] = "10.3." + (i / 256) + "." + (i % 256) + "=1";
        }
        FleetImage image = fleet.apply(addVip(WEB), addReals(WEB, specs));
        assertEquals(1, image.reals().indexes().first());
        assertEquals(4095, image.reals().indexes().last());
        assertRejected(
                ErrorCode.RESOURCE_EXHAUSTED,
                "no free real index for real 10.4.0.0: all 4095 real indexes"
                        + " (1..4095) are in use (max_reals 4096, index 0 is reserved)",
                fleet,
                addReals(WEB, "10.4.0.0=1"));
    }

    @Test
    void realIndexesAreBoundedByMaxReals() {
        CommandLog fleet = new CommandLog(FleetLimits.builder().maxReals(3).build());
        fleet.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1"));
        assertRejected(
                ErrorCode.RESOURCE_EXHAUSTED,
                "no free real index for real 10.0.0.3: all 2 real indexes (1..2) are"
                        + " in use (max_reals 3, index 0 is reserved)",
                fleet,
                addReals(WEB, "10.0.0.3=1"));
        assertRejected(
                ErrorCode.RESOURCE_EXHAUSTED,
                "no free real index for real 10.0.0.3: all 2 real indexes (1..2) are"
                        + " in use (max_reals 3, index 0 is reserved)",
                fleet,
                mapQuic("7=10.0.0.3"));
        fleet.apply(removeReals(WEB, "10.0.0.1"), addReals(WEB, "10.0.0.3=1"));
    }

    // ---- identifier allocation ----

    @Test
    void vipNumbersAreAllocatedLowestFreeFirst() {
        CommandLog fleet = new CommandLog();
        fleet.apply(
                addVip(vip("10.0.1.0", 80, TCP)), addVip(vip("10.0.1.1", 80, TCP)), addVip(vip("10.0.1.2", 80, TCP)));
        fleet.apply(removeVip(vip("10.0.1.1", 80, TCP)), removeVip(vip("10.0.1.0", 80, TCP)));
        FleetImage image = fleet.apply(
                addVip(vip("10.0.1.7", 80, TCP)), addVip(vip("10.0.1.8", 80, TCP)), addVip(vip("10.0.1.9", 80, TCP)));
        assertEquals(
                "10.0.1.7", image.vips().get(0).orElseThrow().key().address().toString());
        assertEquals(
                "10.0.1.8", image.vips().get(1).orElseThrow().key().address().toString());
        assertEquals(
                "10.0.1.2", image.vips().get(2).orElseThrow().key().address().toString());
        assertEquals(
                "10.0.1.9", image.vips().get(3).orElseThrow().key().address().toString());
    }

    @Test
    void realIndexesAreAllocatedInCommandOrderAndFreedIndexesReusedLowestFirst() {
        CommandLog fleet = new CommandLog();
        FleetImage image =
                fleet.apply(addVip(WEB), addReals(WEB, "10.0.0.9=1", "10.0.0.1=1", "10.0.0.5=1", "10.0.0.7=1"));
        assertEquals(
                List.of("10.0.0.9", "10.0.0.1", "10.0.0.5", "10.0.0.7"),
                image.reals().all().stream().map(r -> r.address().toString()).toList(),
                "indexes 1..4 in the order given");

        image = fleet.apply(removeReals(WEB, "10.0.0.1", "10.0.0.7"));
        image = fleet.apply(addReals(WEB, "10.0.0.3=1", "10.0.0.4=1", "10.0.0.6=1"));
        assertEquals(
                2, image.reals().get(IpAddress.parse("10.0.0.3")).orElseThrow().index());
        assertEquals(
                4, image.reals().get(IpAddress.parse("10.0.0.4")).orElseThrow().index());
        assertEquals(
                5, image.reals().get(IpAddress.parse("10.0.0.6")).orElseThrow().index());
    }

    @Test
    void aRealKeepsItsIndexWhileAnyVipOrQuicMappingUsesIt() {
        CommandLog fleet = webFleet();
        fleet.apply(addReals(DNS, "10.0.0.1=1"), mapQuic("1022=10.0.0.2"), setHealthCheck(1, "10.0.0.1"));
        FleetImage image = fleet.apply(removeVip(WEB));
        assertEquals(List.of(1, 2), List.copyOf(image.reals().indexes()), "held by DNS and by QUIC id 1022");
        image = fleet.apply(removeVip(DNS), unmapQuic(1022));
        assertTrue(image.reals().isEmpty(), "health-check marks hold addresses, not real indexes");
        assertEquals(
                "10.0.0.1", image.healthChecks().destination(1).orElseThrow().toString());
    }

    @Test
    void validationIsDeterministic() {
        CommandBatch b = batch(
                addVip(WEB),
                addReals(WEB, "10.0.0.3=1", "fc00::3=2"),
                mapQuic("9=10.0.0.8", "10=10.0.0.8"),
                drain("lb-1", "kernel upgrade"));
        CommandValidator v = new CommandValidator();
        FleetImage a = webFleet().image();
        FleetImage c = webFleet().image();
        assertEquals(v.validate(a, b).records(), v.validate(c, b).records());
        List<FleetRecord> quic =
                v.validate(a, batch(mapQuic("9=10.0.0.8", "10=10.0.0.8"))).records();
        assertEquals(3, quic.get(0).getQuicServerIdMapped().getRealIndex());
        assertEquals(3, quic.get(1).getQuicServerIdMapped().getRealIndex(), "one new real, one index");
    }

    // ---- health checks ----

    @Test
    void healthCheckMarksAre1To2Pow32MinusOne() {
        CommandLog fleet =
                new CommandLog(FleetLimits.builder().maxHealthCheckDsts(2).build());
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "somark 0 is out of range: allowed 1..4294967295 (0 means unmarked)",
                fleet,
                setHealthCheck(0, "10.0.0.1"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "health-check address \"x\" is not a valid IP address (unexpected"
                        + " character 'x'): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets",
                fleet,
                setHealthCheck(1, "x"));
        FleetImage image = fleet.apply(
                setHealthCheck(1, "10.0.0.1"), setHealthCheck(-1, "fc00::1"), setHealthCheck(1, "10.0.0.2"));
        assertEquals(
                "fc00::1",
                image.healthChecks().destination(4294967295L).orElseThrow().toString());
        assertEquals(
                "10.0.0.2", image.healthChecks().destination(1).orElseThrow().toString(), "set replaces");
        assertRejected(
                ErrorCode.RESOURCE_EXHAUSTED,
                "no room for a health-check destination for somark 3: all 2"
                        + " destinations are in use (max_health_check_dsts 2)",
                fleet,
                setHealthCheck(3, "10.0.0.3"));
        assertRejected(ErrorCode.NOT_FOUND, "somark 9 has no health-check destination", fleet, removeHealthCheck(9));
        assertTrue(
                fleet.apply(removeHealthCheck(1)).healthChecks().destination(1).isEmpty());
    }

    // ---- QUIC ----

    @Test
    void quicServerIdsAre1ToMaxQuicServerId() {
        CommandLog fleet = new CommandLog();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "quic server id 0 is out of range: allowed 1..16777215 (0 means no server" + " id)",
                fleet,
                mapQuic("0=10.0.0.1"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "quic server id 16777216 is out of range: allowed 1..16777215 (0 means no" + " server id)",
                fleet,
                mapQuic("16777216=10.0.0.1"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "quic server id 5 is listed twice",
                fleet,
                mapQuic("5=10.0.0.1", "5=10.0.0.2"));
        assertRejected(ErrorCode.NOT_FOUND, "quic server id 5 is not mapped", fleet, unmapQuic(5));
        assertRejected(ErrorCode.INVALID_ARGUMENT, "map_quic_server_ids needs at least one mapping", fleet, mapQuic());
        FleetImage image = fleet.apply(mapQuic("1022=10.0.0.1", "197630=10.0.0.1", "16777215=fc00::1"));
        assertEquals(1, image.quicIds().get(197630).orElseThrow().realIndex());
        assertEquals(2, image.reals().get(1).orElseThrow().references());
        assertTrue(fleet.submit(mapQuic("1022=10.0.0.1")).records().isEmpty(), "mapping what is mapped is a no-op");
    }

    // ---- nodes, MAC, down reals ----

    @Test
    void drainingIsIdempotentAndStampedFromTheLogEntry() {
        CommandLog fleet = new CommandLog().as("alice");
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "node id \"lb 1\" is invalid: allowed 1..128 characters from A-Z a-z 0-9" + " . _ -",
                fleet,
                drain("lb 1", ""));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "node id \"\" is invalid: allowed 1..128 characters from A-Z a-z 0-9 . _" + " -",
                fleet,
                undrain(""));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "drain reason is 257 characters long: allowed at most 256",
                fleet,
                drain("lb-1", "x".repeat(257)));
        FleetImage image = fleet.apply(drain("lb-1", "kernel upgrade"));
        assertEquals(
                new io.ringfleet.state.NodeDrain("lb-1", "kernel upgrade", 1_700_000_000_000L, "alice"),
                image.nodes().drain("lb-1").orElseThrow());
        assertTrue(fleet.submit(drain("lb-1", "again")).records().isEmpty());
        assertTrue(fleet.submit(undrain("lb-2")).records().isEmpty());
        assertTrue(!fleet.apply(undrain("lb-1")).nodes().isDrained("lb-1"));
    }

    @Test
    void theGatewayMacIsAUnicastNonZeroMac() {
        CommandLog fleet = new CommandLog();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "gateway mac \"00:00:de:ad:be\" is malformed: expected six hex octets"
                        + " separated by colons, e.g. 0a:1b:2c:3d:4e:5f",
                fleet,
                setMac("00:00:de:ad:be"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "gateway mac 00:00:00:00:00:00 is all zeros: give the next hop's unicast" + " MAC",
                fleet,
                setMac("00:00:00:00:00:00"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "gateway mac 01:00:5e:00:00:01 is a multicast address (lowest bit of the"
                        + " first octet set): a next hop must be unicast",
                fleet,
                setMac("01:00:5E:00:00:01"));
        assertEquals(
                "00:00:de:ad:be:af",
                fleet.apply(setMac("00:00:DE:AD:BE:AF"))
                        .gatewayMac()
                        .orElseThrow()
                        .toString());
        assertTrue(fleet.submit(setMac("00:00:de:ad:be:af")).records().isEmpty());
    }

    @Test
    void downMarksNeedAMemberOfAUdpFlowMigrationVip() {
        CommandLog fleet = webFleet();
        fleet.apply(addReals(DNS, "10.0.0.1=1"));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "vip 10.200.1.1:80/tcp does not have flag udp_flow_migration: down"
                        + " reals only apply to udp_flow_migration vips",
                fleet,
                markDown(WEB, "10.0.0.1"));
        assertRejected(
                ErrorCode.NOT_FOUND, "real 10.0.0.2 is not in vip 10.200.1.1:53/udp", fleet, markDown(DNS, "10.0.0.2"));
        FleetImage image = fleet.apply(markDown(DNS, "10.0.0.1"));
        assertTrue(image.vips().get(2).orElseThrow().isDown(1));
        image = fleet.apply(removeReals(DNS, "10.0.0.1"), addReals(DNS, "10.0.0.1=1"));
        assertTrue(!image.vips().get(2).orElseThrow().isDown(1), "a down mark goes with the membership");
        assertTrue(fleet.submit(clearDown(DNS, "10.0.0.1")).records().isEmpty());
    }
}
