package io.ringfleet.agent.datapath;

import io.ringfleet.state.testing.CommandLog;

/**
 * raft-state's in-memory log with a MapProgrammer as its publisher: every image is programmed on the applying
 * thread (a synchronous stand-in for the agent's programming pipeline); a failed run throws out of {@link #apply}.
 */
final class ProgrammedLog extends CommandLog {
    private ProgramReport lastReport;

    ProgrammedLog(MapProgrammer programmer) {
        publishTo((delta, image) -> lastReport = programmer.program(image));
    }

    /** A log bootstrapped at {@code fleetVersion} (the bootstrap entry is not programmed; the next one is). */
    ProgrammedLog(MapProgrammer programmer, io.ringfleet.state.FleetLimits limits, int fleetVersion) {
        super(limits, fleetVersion);
        publishTo((delta, image) -> lastReport = programmer.program(image));
    }

    /** The report of the programmer's last successful run. */
    ProgramReport lastReport() {
        return lastReport;
    }

    /** The index the last successful run programmed; -1 before the first. */
    long programmedIndex() {
        return lastReport == null ? -1 : lastReport.index();
    }
}
