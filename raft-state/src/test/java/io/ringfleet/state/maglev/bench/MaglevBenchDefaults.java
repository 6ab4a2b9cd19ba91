package io.ringfleet.state.maglev.bench;

import io.ringfleet.state.bench.JmhDefaults;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The Maglev benchmarks' settings on top of {@link JmhDefaults}: sample-time mode in microseconds (the report has
 * the median and the minimum, the stable figures on a shared machine) and a 512 MiB heap.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public abstract class MaglevBenchDefaults extends JmhDefaults {}
