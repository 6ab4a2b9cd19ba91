package io.ringfleet.agent.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.testing.Bpffs;
import io.ringfleet.state.FleetLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configurations the datapath cannot honour fail with a message that says why, and leave no pins behind. */
class DatapathOpenErrorsTest {

    @Test
    void aRingSizeTheBalancerWasNotBuiltWithIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> DatapathConfig.builder().ringSize(65521));
        assertTrue(e.getMessage().contains("RF_RING_SIZE=65537"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> DatapathConfig.builder()
                        .ringSize(FleetLimits.builder()
                                .maxVips(16)
                                .maxReals(4096)
                                .ringSize(65521)
                                .build()
                                .ringSize()));
    }

    @Test
    void sizesOutsideWhatTheMapsCanHoldAreRefused() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> DatapathConfig.builder().maxReals(70000))
                .getMessage()
                .contains("16-bit real index"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> DatapathConfig.builder().maxVips(40000))
                .getMessage()
                .contains("maxVips must be 1..32767"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> DatapathConfig.builder().perCpuConnTables(1024, List.of(128)))
                .getMessage()
                .contains("0..127"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> DatapathConfig.builder().pinDir(Path.of("relative")))
                .getMessage()
                .contains("absolute"));
    }

    @Test
    void aPinDirOutsideBpffsIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("rf-not-bpffs");
        try {
            DatapathException e = assertThrows(
                    DatapathException.class,
                    () -> BalancerDatapath.open(DatapathConfig.builder()
                            .maxVips(2)
                            .fallbackConnTableOnly()
                            .pinDir(dir)
                            .build()));
            assertTrue(e.getMessage().contains("not bpffs"), e.getMessage());
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void pinnedMapsOfOtherSizesAreReportedWithWhatToDo() {
        Path pins = Bpffs.newDir("rf-agent-test-sizes");
        try {
            BalancerDatapath.open(DatapathConfig.builder()
                            .maxVips(2)
                            .fallbackConnTableOnly()
                            .healthCheck(false)
                            .pinDir(pins)
                            .build())
                    .close();
            DatapathException e = assertThrows(
                    DatapathException.class,
                    () -> BalancerDatapath.open(DatapathConfig.builder()
                            .maxVips(4)
                            .fallbackConnTableOnly()
                            .healthCheck(false)
                            .pinDir(pins)
                            .build()));
            assertTrue(e.getMessage().contains("remove " + pins + " to start afresh"), e.getMessage());
            try (BalancerDatapath same = BalancerDatapath.open(DatapathConfig.builder()
                    .maxVips(2)
                    .fallbackConnTableOnly()
                    .healthCheck(false)
                    .pinDir(pins)
                    .build())) {
                assertTrue(same.mapsReused(), "the failed open changed nothing pinned");
                assertEquals(2, same.map("vip_map").maxEntries());
            }
        } finally {
            Bpffs.deleteTree(pins);
        }
    }
}
