package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfException;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.state.maglev.MaglevRing;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MapIo's ring reads (ranged and slot by slot) against a balancer's ch_rings in the kernel. */
class MapIoTest {
    private static final int RING = DatapathConfig.RING_SIZE;
    private static final VipKey WEB = vip("10.1.0.1", 80, TCP);
    private static final VipKey API = vip("10.1.0.3", 443, TCP);

    private BalancerDatapath datapath;
    private MapProgrammer programmer;
    private MapIo io;

    @BeforeEach
    void program() {
        datapath = BalancerDatapath.open(
                DatapathConfig.builder().maxVips(3).fallbackConnTableOnly().build());
        programmer = MapProgrammer.builder(datapath).build();
        new ProgrammedLog(programmer)
                .apply(
                        addVip(WEB),
                        addVip(API),
                        addReals(WEB, "10.0.0.1=1", "10.0.0.2=2", "10.0.0.3=1"),
                        addReals(API, "10.0.0.4=1", "10.0.0.5=1"));
        io = new MapIo(datapath);
    }

    @AfterEach
    void close() {
        datapath.close();
    }

    private int[] slots(int vipNum) {
        MaglevRing ring = programmer.lastWritten().rings().get(vipNum);
        return IntStream.range(0, RING)
                .map(i -> ring == null ? 0 : ring.realAt(i))
                .toArray();
    }

    /** The kernel's slot, by one lookup. */
    private int slot(int vipNum, int pos) {
        return BpfMap.u32(datapath.map(Table.RINGS)
                .lookup(BpfMap.u32(vipNum * RING + pos))
                .orElseThrow());
    }

    @Test
    void aRowReadAsOneRangeEqualsTheRingAndSingleLookups() {
        for (int num = 0; num < 3; num++) {
            KernelReading.Row row = io.readRow(num);
            assertEquals(num, row.vipNum());
            assertNull(row.positions());
            assertArrayEquals(slots(num), row.values(), "row " + num);
            for (int pos : new int[] {0, 1, 777, RING - 2, RING - 1}) {
                assertEquals(slot(num, pos), row.values()[pos], "row " + num + " slot " + pos);
            }
        }
        assertTrue(IntStream.of(io.readRow(1).values()).allMatch(v -> v > 0), "every slot of a VIP with reals is set");
        assertArrayEquals(new int[RING], io.readRow(2).values(), "the last row (unused) ends at max_entries");
    }

    @Test
    void slotsReadAsTheSpanningRangeOrOneByOneGiveTheSameValues() {
        int[] row0 = slots(0);
        int[] dense = IntStream.range(0, RING / 3).map(i -> 1 + 3 * i).toArray(); // span / count = 3: one range
        int[] sparse = {5, 30_000, RING - 1}; // span / count far above the threshold: three lookups
        int[] tail = IntStream.range(RING - 10, RING).toArray(); // the row's last slots, as a range
        for (int[] positions : new int[][] {dense, sparse, tail, {0}, {RING - 1}}) {
            KernelReading.Row row = io.readSlots(0, positions);
            assertArrayEquals(positions, row.positions());
            assertArrayEquals(IntStream.of(positions).map(p -> row0[p]).toArray(), row.values());
        }
        KernelReading.Row last = io.readSlots(2, tail);
        assertArrayEquals(new int[tail.length], last.values(), "the map's last slots");
        assertEquals(0, io.readSlots(1, new int[0]).size());
    }

    @Test
    void aRowBeyondTheMapIsAnErrorNotZeros() {
        BpfException e = assertThrows(BpfException.class, () -> io.readRow(3));
        assertEquals(BpfException.EINVAL, e.errno());
        assertThrows(BpfException.class, () -> io.readSlots(3, new int[] {0, 1, 2}));
    }
}
