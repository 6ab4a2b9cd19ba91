package io.ringfleet.bpf;

import static io.ringfleet.bpf.HealthcheckTest.REAL4;
import static io.ringfleet.bpf.HealthcheckTest.REAL6;
import static io.ringfleet.bpf.HealthcheckTest.SRC4;
import static io.ringfleet.bpf.HealthcheckTest.SRC6;

import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.HcCounter;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.bpf.abi.HcReal;
import java.net.Inet4Address;
import java.net.Inet6Address;

/**
 * The shipped healthcheck.bpf.c loaded as the health-check tests use it: real 7 is {@code REAL4}, real 8 is
 * {@code REAL6}, and the encapsulation sources are {@code SRC4} and {@code SRC6}.
 */
final class HealthcheckProgram implements AutoCloseable {
    final BpfObject obj;
    final BpfProgram prog;
    final BpfMap reals;
    final BpfMap ctl;
    final BpfMap stats;

    HealthcheckProgram() {
        obj = BpfObject.open(Bpf.shippedObject("healthcheck")).load();
        try {
            prog = obj.program("healthcheck");
            reals = obj.map("hc_reals");
            ctl = obj.map("hc_ctl");
            stats = obj.map("hc_stats");
            reals.update(BpfMap.u32(7), new HcReal(REAL4).encode());
            reals.update(BpfMap.u32(8), new HcReal(REAL6).encode());
            ctl.update(
                    BpfMap.u32(HcCtl.MAIN),
                    new HcCtl((Inet4Address) SRC4, (Inet6Address) SRC6, 0, null, null).encode());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** One counter of hc_stats, summed over the CPUs. */
    Counter stat(HcCounter c) {
        return Counter.sum(stats.lookupPerCpu(BpfMap.u32(c.index())).orElseThrow());
    }

    @Override
    public void close() {
        TestSupport.closeQuietly(prog, reals, ctl, stats, obj);
    }
}
