package io.ringfleet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Linux cpulist format for forwarding CPUs and NUMA nodes. */
class IdListTest {
    private static IdList cpus(String text) {
        return IdList.parse(text, IdList.MAX_CPU);
    }

    private static String reason(String text) {
        return assertThrows(IllegalArgumentException.class, () -> cpus(text)).getMessage();
    }

    @Test
    void parsesNumbersAndRanges() {
        assertEquals(List.of(0, 1, 2, 3, 6), cpus("0-3,6").ids());
        assertEquals(List.of(7), cpus("7").ids());
        assertEquals(List.of(0, 2, 4, 5), cpus(" 4-5 , 0, 2 ").ids());
        assertEquals(List.of(3), cpus("3-3").ids());
    }

    @Test
    void keepsIdsSortedWhateverTheOrderWritten() {
        assertEquals(List.of(1, 2, 8, 9), cpus("8-9,1-2").ids());
    }

    @Test
    void printsTheShortestForm() {
        assertEquals("0-3,6", cpus("6,3,2,1,0").toString());
        assertEquals("0,1", cpus("0-1").toString());
        assertEquals("0-2,4,5,7-9", cpus("0,1,2,4,5,7,8,9").toString());
        assertEquals("", IdList.EMPTY.toString());
        assertEquals(cpus("0-3,6"), cpus(cpus("0-3,6").toString()));
    }

    @Test
    void refusesMalformedItems() {
        assertEquals("\"x\" is not a number", reason("0-3,x"));
        assertEquals("\"-1\" is not a number", reason("-1"));
        assertEquals("\"\" is not a number", reason("3-"));
        assertEquals("an item between commas is empty", reason("1,,2"));
        assertEquals("an item between commas is empty", reason("1,"));
        assertEquals("the list is empty", reason(" "));
        assertEquals("\"1.5\" is not a number", reason("1.5"));
    }

    @Test
    void refusesBackwardRangesDuplicatesAndOutOfRange() {
        assertEquals("range \"5-2\" runs backwards; write it 2-5", reason("5-2"));
        assertEquals("3 is listed twice", reason("0-3,3"));
        assertEquals("8192 is out of range; use 0 to 8191", reason("8192"));
        assertEquals(
                "1024 is out of range; use 0 to 1023",
                assertThrows(IllegalArgumentException.class, () -> IdList.parse("1024", IdList.MAX_NUMA_NODE))
                        .getMessage());
    }

    @Test
    void answersMembership() {
        IdList l = cpus("0-3,6");
        assertTrue(l.contains(2));
        assertFalse(l.contains(5));
        assertEquals(5, l.size());
        assertTrue(IdList.EMPTY.isEmpty());
    }

    @Test
    void ofChecksItsIds() {
        assertEquals(List.of(1, 4), IdList.of(List.of(4, 1), 8).ids());
        assertEquals(
                "9 is out of range; use 0 to 8",
                assertThrows(IllegalArgumentException.class, () -> IdList.of(List.of(9), 8))
                        .getMessage());
        assertEquals(
                "1 is listed twice",
                assertThrows(IllegalArgumentException.class, () -> IdList.of(List.of(1, 1), 8))
                        .getMessage());
        assertEquals(IdList.EMPTY, IdList.of(List.of(), 8));
    }
}
