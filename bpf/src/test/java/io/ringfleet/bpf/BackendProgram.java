package io.ringfleet.bpf;

import io.ringfleet.bpf.abi.BackendCounter;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.Ctl;

/** The shipped ringfleet-backend object (backend.bpf.c) loaded for the tests, gateway MAC not yet set. */
final class BackendProgram implements AutoCloseable {
    static final String OBJECT = "backend";
    static final String PROGRAM = "ringfleet_backend";

    final BpfObject obj;
    final BpfProgram prog;
    final BpfMap ctl;
    final BpfMap stats;

    BackendProgram() {
        obj = BpfObject.open(Bpf.shippedObject(OBJECT)).load();
        try {
            prog = obj.program(PROGRAM);
            ctl = obj.map(MapNames.BACKEND_CTL);
            stats = obj.map(MapNames.BACKEND_STATS);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    void setGateway(byte[] mac) {
        ctl.update(BpfMap.u32(BackendCounter.CTL_GATEWAY_MAC), new Ctl(mac).encode());
    }

    /** One counter of backend_stats, summed over the CPUs. */
    Counter stat(BackendCounter c) {
        return Counter.sum(stats.lookupPerCpu(BpfMap.u32(c.index())).orElseThrow());
    }

    @Override
    public void close() {
        TestSupport.closeQuietly(prog, ctl, stats, obj);
    }
}
