package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which failures of a live-frames run mean "this kernel refuses the facility" (a skip) and which are bugs. */
class LiveFramesTest {
    @ParameterizedTest
    @CsvSource({"1, EPERM", "13, EACCES", "95, EOPNOTSUPP", "524, ENOTSUPP"})
    void aRefusalNamesTheFacilityAndTheErrno(int errno, String name) {
        assertEquals(
                "the kernel refuses BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: errno " + errno + " (" + name
                        + ")",
                LiveFrames.reason(BpfException.of("testRun", errno, "refused")));
    }

    @ParameterizedTest
    @ValueSource(ints = {BpfException.EINVAL, 19 /* ENODEV */, BpfException.ENOSPC})
    void anyOtherFailureIsRethrownNotSkipped(int errno) {
        BpfException failure = BpfException.of("testRun", errno, "bad request");
        assertSame(failure, assertThrows(BpfException.class, () -> LiveFrames.reason(failure)));
    }
}
