package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.Command;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.abi.VipMeta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The incremental path (desired maps derived step by step from the last ones written by diffing images, only the
 * changed keys and ring slots read) against the full path (the maps derived from empty, everything read), on
 * seeded random command sequences: VIPs added and removed (vip_nums reused, a key moving to another vip_num),
 * reals added, removed, re-weighted and marked down (indexes freed and reused), flags, QUIC ids, health-check
 * destinations and the gateway MAC; some images are skipped, as the pipeline skips images that arrive during a
 * run. After every run the desired maps must equal the full derivation, and a second programmer's resync
 * (every entry and every row of the kernel compared with the full path) must find nothing to write.
 */
class IncrementalProgrammingTest {
    private static final MacAddress NODE_MAC = MacAddress.parse("02:00:00:00:00:09");
    private static final long[] SEEDS = {1, 7, 42};
    private static final int STEPS = 40;

    private BalancerDatapath datapath;

    @AfterEach
    void close() {
        if (datapath != null) {
            datapath.close();
        }
    }

    @Test
    void incrementalRunsLeaveExactlyWhatTheFullPathWould() {
        datapath = BalancerDatapath.open(
                DatapathConfig.builder().maxVips(8).fallbackConnTableOnly().build());
        for (long seed : SEEDS) {
            runSequence(seed);
        }
    }

    /**
     * An image that does not fit, reached incrementally, is refused with the full path's reasons and writes
     * nothing; the next image that fits is programmed incrementally from the last one programmed.
     */
    @Test
    void anIncrementalMisfitNamesTheFullPathsReasonsAndTheNextImageStillFits() {
        DatapathConfig config = DatapathConfig.builder()
                .maxVips(2)
                .fallbackConnTableOnly()
                .healthCheck(false)
                .build();
        datapath = BalancerDatapath.open(config);
        MapProgrammer programmer =
                MapProgrammer.builder(datapath).defaultGatewayMac(NODE_MAC).build();
        CommandLog log = new CommandLog();
        VipKey web = Commands.vip("10.1.0.1", 80, TCP);
        VipKey dns = Commands.vip("10.1.0.2", 53, UDP);
        VipKey api = Commands.vip("10.1.0.3", 443, TCP);
        programmer.program(log.apply(Commands.addVip(web), Commands.addReals(web, "10.0.0.1=1")));
        EncodedMaps written = programmer.lastWritten();

        FleetImage tooBig = log.apply(
                Commands.addVip(dns),
                Commands.addVip(api),
                Commands.addReals(api, "10.0.0.2=1"),
                Commands.setHealthCheck(1, "10.0.0.3"));
        List<String> expected = EncodedMaps.of(
                        tooBig, FleetRings.of(tooBig, DatapathConfig.RING_SIZE), NODE_MAC, config)
                .misfits();
        assertEquals(2, expected.size(), "" + expected);
        ProgrammingException e = assertThrows(ProgrammingException.class, () -> programmer.program(tooBig));
        assertTrue(e.wroteNothing());
        for (String reason : expected) {
            assertTrue(e.getMessage().contains(reason), e.getMessage() + " lacks " + reason);
        }
        assertSame(written, programmer.lastWritten(), "the misfit left the base of the next run as it was");
        assertEquals(1, datapath.map("vip_map").keys().size());

        FleetImage fits = log.apply(Commands.removeVip(api), Commands.removeHealthCheck(1));
        ProgramReport fitted = programmer.program(fits);
        assertFalse(fitted.full());
        assertEquals(fits.index(), fitted.index());
        assertEquals(2, datapath.map("vip_map").keys().size());
        assertEquals(
                0,
                MapProgrammer.builder(datapath)
                        .defaultGatewayMac(NODE_MAC)
                        .build()
                        .resync(fits)
                        .totalWritten());
    }

    private void runSequence(long seed) {
        Random random = new Random(seed);
        MapProgrammer incremental =
                MapProgrammer.builder(datapath).defaultGatewayMac(NODE_MAC).build();
        MapProgrammer checker =
                MapProgrammer.builder(datapath).defaultGatewayMac(NODE_MAC).build();
        RandomLog log = new RandomLog();
        incremental.resync(log.image()); // this seed starts from whatever the previous one left: the full path cleans
        int incrementalRuns = 0;
        for (int step = 0; step < STEPS; step++) {
            log.applyRandom(random);
            if (random.nextInt(4) == 0 && step < STEPS - 1) {
                continue; // skipped, as images arriving during a run are: the next run spans two or more entries
            }
            ProgramReport report = incremental.program(log.image());
            String where = "seed " + seed + " step " + step + " (" + log.image().provenance() + ")";
            assertFalse(report.full(), where + ": the run was not incremental");
            incrementalRuns++;
            EncodedMaps fromEmpty = EncodedMaps.of(
                            log.image(),
                            FleetRings.of(log.image(), DatapathConfig.RING_SIZE),
                            NODE_MAC,
                            datapath.config())
                    .maps();
            assertTrue(incremental.lastWritten().sameEntriesAs(fromEmpty), where + ": desired maps differ");
            ProgramReport check = checker.resync(log.image());
            assertEquals(0, check.totalWritten(), where + ": the full comparison found " + check.written());
        }
        assertTrue(incrementalRuns > STEPS / 2, "seed " + seed + ": " + incrementalRuns + " incremental runs");
        assertNoDanglingSlots("seed " + seed);
    }

    /** Every ring slot of a VIP in vip_map points at a real the reals map holds. */
    private void assertNoDanglingSlots(String where) {
        Set<Integer> reals = new HashSet<>();
        for (BpfMap.Entry e : datapath.map("reals").entries()) {
            for (byte b : e.value()) {
                if (b != 0) {
                    reals.add(BpfMap.u32(e.key()));
                    break;
                }
            }
        }
        MapIo io = new MapIo(datapath);
        for (BpfMap.Entry e : datapath.map("vip_map").entries()) {
            int row = VipMeta.decode(e.value()).vipNum();
            for (int real : io.readRow(row).values()) {
                assertTrue(
                        real == 0 || reals.contains(real), where + ": row " + row + " points at missing real " + real);
            }
        }
    }

    /**
     * A log fed with random commands; a batch the validator refuses changes nothing (its entry still moves the
     * image's index, as in the state machine) and its commands are retried one by one.
     */
    private static final class RandomLog {
        private static final VipKey[] VIPS = {
            Commands.vip("10.1.0.1", 80, TCP), Commands.vip("10.1.0.1", 443, TCP), Commands.vip("10.1.0.2", 53, UDP),
            Commands.vip("10.1.0.3", 80, TCP), Commands.vip("10.1.0.4", 443, UDP), Commands.vip("10.1.0.5", 80, TCP),
        };
        private static final int[] FLAGS = {0, VipFlags.HASH_NO_SRC_PORT, VipFlags.UDP_FLOW_MIGRATION, VipFlags.QUIC_VIP
        };

        private final CommandLog log = new CommandLog();

        FleetImage image() {
            return log.image();
        }

        void applyRandom(Random random) {
            int n = 1 + random.nextInt(4);
            Command[] batch = new Command[n];
            for (int i = 0; i < n; i++) {
                batch[i] = randomCommand(random);
            }
            if (!log.submit(batch).isOk()) {
                for (Command c : batch) {
                    log.submit(c); // each on its own: keep what is valid
                }
            }
        }

        private Command randomCommand(Random random) {
            VipKey vip = VIPS[random.nextInt(VIPS.length)];
            String real = "10.0.0." + (1 + random.nextInt(12));
            return switch (random.nextInt(12)) {
                case 0, 1 -> Commands.addVip(vip);
                case 2 -> Commands.removeVip(vip);
                case 3, 4 ->
                    Commands.addReals(
                            vip, real + "=" + (1 + random.nextInt(3)), "10.0.0." + (1 + random.nextInt(12)) + "=1");
                case 5 -> Commands.removeReals(vip, real);
                case 6 -> Commands.setWeights(vip, real + "=" + random.nextInt(4));
                case 7 -> Commands.modifyFlags(vip, FLAGS[random.nextInt(FLAGS.length)], 0);
                case 8 -> Commands.markDown(vip, real);
                case 9 ->
                    random.nextBoolean()
                            ? Commands.mapQuic((100 + random.nextInt(4)) + "=" + real)
                            : Commands.unmapQuic(100 + random.nextInt(4));
                case 10 ->
                    random.nextBoolean()
                            ? Commands.setHealthCheck(1 + random.nextInt(3), real)
                            : Commands.removeHealthCheck(1 + random.nextInt(3));
                default -> Commands.setMac("02:00:00:00:00:0" + (1 + random.nextInt(3)));
            };
        }
    }
}
