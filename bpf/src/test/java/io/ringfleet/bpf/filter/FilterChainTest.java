package io.ringfleet.bpf.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.filter.FilterRule.Action;
import io.ringfleet.bpf.filter.FilterRule.SourcePrefix;
import io.ringfleet.bpf.testing.Bpffs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pre-filter in xdp_root slot 0 in front of a program in slot 1 that answers XDP_TX (the bench wrapper's
 * {@code bench_tx}, standing for the balancer): a packet the filter does not drop reaches slot 1 and gets its verdict.
 */
class FilterChainTest {
    static final int XDP_DROP = 1;
    static final int XDP_PASS = 2;
    static final int XDP_TX = 3;

    private Path dir;
    private BpfObject rootObj;
    private BpfObject nextObj;
    private FilterProgram filter;
    private BpfProgram root;
    private BpfMap slots;

    @BeforeEach
    void load() {
        dir = Bpffs.createDir("rf-test-prefilter-chain");
        rootObj = BpfObject.open(Bpf.shippedObject("xdp_root")).pinMapsIn(dir).load();
        root = rootObj.program("xdp_root");
        slots = rootObj.map(MapNames.ROOT_ARRAY);
        filter = FilterProgram.chained(dir.resolve(MapNames.ROOT_ARRAY), 0, Map.of());
        nextObj =
                BpfObject.open(Bpf.resourceFile("/native/bench_wrapper.bpf.o")).load();
        slots.setProgram(0, filter.program());
        slots.setProgram(1, nextObj.program("bench_tx"));
    }

    @AfterEach
    void close() {
        filter.close();
        nextObj.close();
        rootObj.close();
        Bpffs.deleteTree(dir);
    }

    private int run(byte[] frame) {
        return root.testRun(TestRun.of(frame)).retval();
    }

    @Test
    void passedPacketsReachTheNextSlotAndDroppedOnesDoNot() {
        filter.install(List.of(FilterRule.builder(1, new SourcePrefix(Prefix.parse("10.66.0.0/16")), Action.DROP)
                .build()));
        assertEquals(XDP_TX, run(FilterFrames.tcp("10.67.0.1", "192.0.2.1", 1, 80, FilterFrames.SYN)));
        assertEquals(XDP_DROP, run(FilterFrames.tcp("10.66.0.1", "192.0.2.1", 1, 80, FilterFrames.SYN)));
        assertEquals(1, filter.counter(1).packets());
        assertEquals(1, filter.global(FilterGlobal.HANDED_ON).packets());
        // slot 1 emptied: what the filter hands on falls through to XDP_PASS
        slots.clearSlot(1);
        assertEquals(XDP_PASS, run(FilterFrames.tcp("10.67.0.1", "192.0.2.1", 1, 80, FilterFrames.SYN)));
    }

    @Test
    void standaloneTheFilterPassesWhatItDoesNotDrop() {
        try (FilterProgram alone = FilterProgram.standalone(Map.of())) {
            assertEquals(
                    XDP_PASS,
                    alone.program()
                            .testRun(TestRun.of(FilterFrames.tcp("10.67.0.1", "192.0.2.1", 1, 80, 0)))
                            .retval());
        }
    }
}
