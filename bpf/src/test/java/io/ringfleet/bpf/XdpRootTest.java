package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.testing.Bpffs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** xdp_root: slots tail-called in order; empty → XDP_PASS; a slot program can hand on to the next. */
class XdpRootTest {
    private static final int XDP_DROP = 1;
    private static final int XDP_PASS = 2;

    private Path dir;
    private BpfObject rootObj;
    private BpfObject chainObj;
    private BpfProgram root;
    private BpfMap slots;
    private BpfProgram first;
    private BpfProgram second;
    private BpfMap hits;

    @BeforeEach
    void load() {
        dir = TestSupport.bpffsDir("root");
        rootObj = BpfObject.open(Bpf.shippedObject("xdp_root")).pinMapsIn(dir).load();
        root = rootObj.program("xdp_root");
        slots = rootObj.map("root_array");
        // the slot programs share root_array through its pin
        chainObj = BpfObject.open(TestSupport.testObject("chain_test"))
                .setPinPath("root_array", dir.resolve("root_array"))
                .load();
        first = chainObj.program("chain_first");
        second = chainObj.program("chain_second");
        hits = chainObj.map("chain_hits");
    }

    @AfterEach
    void close() {
        TestSupport.closeQuietly(hits, first, second, chainObj, slots, root, rootObj);
        Bpffs.deleteTree(dir);
    }

    private long hits(int i) {
        return ByteBuffer.wrap(hits.lookup(BpfMap.u32(i)).orElseThrow())
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
    }

    private int run() {
        return root.testRun(TestRun.of(TestSupport.udpFrame(64))).retval();
    }

    @Test
    void emptyRootPasses() {
        assertEquals(MapType.PROG_ARRAY, slots.type());
        assertEquals(4, slots.maxEntries());
        assertEquals(XDP_PASS, run());
    }

    @Test
    void slotZeroHandsOnToSlotOne() {
        slots.setProgram(0, first);
        slots.setProgram(1, second);
        assertEquals(XDP_DROP, run());
        assertEquals(1, hits(0));
        assertEquals(1, hits(1));
        assertEquals(second.id(), BpfMap.u32(slots.lookup(BpfMap.u32(1)).orElseThrow()));
    }

    @Test
    void emptySlotsAreSkipped() {
        slots.setProgram(2, second);
        assertEquals(XDP_DROP, run());
        assertEquals(0, hits(0));
        assertEquals(1, hits(1));
        slots.clearSlot(2);
        slots.setProgram(0, first); // hands on to nothing: pass
        assertEquals(XDP_PASS, run());
        assertEquals(1, hits(0));
    }
}
