package io.ringfleet.state.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings raft-state's benchmarks share, in one place: one state per benchmark, one fork with a 1 GiB
 * heap, 3 warmup and 5 measurement iterations of 1 s. JMH reads these annotations from the superclass; a benchmark
 * adds its mode and unit and overrides what it runs differently (an annotation on the subclass wins).
 */
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class JmhDefaults {}
