package io.ringfleet.agent.datapath;

/** Told after each write step of a programming run, in order (for tests and tracing). */
@FunctionalInterface
public interface StepListener {
    /**
     * @param step    what the step does, e.g. "add reals"
     * @param map     the map written
     * @param puts    entries written
     * @param deletes entries deleted
     */
    void afterStep(String step, String map, int puts, int deletes);
}
