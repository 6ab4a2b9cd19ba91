package io.ringfleet.state.raft;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.RandomBatches;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (its name keeps it out of the default run): threads the JVM starts while three real
 * Ratis peers (gRPC on loopback, one JVM) commit WRITES batches, with the common pool as this JVM has it. Run twice
 * to compare (BENCHMARKS.md, "Leader churn and threads"):
 *
 * <pre>
 * mvn -o -B -q -pl raft-state -am test -Dtest=AppendThreadsMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *   -DargLine="-Xmx1g -Djava.util.concurrent.ForkJoinPool.common.parallelism=1"   # the JDK's choice on <= 2 CPUs
 * ... -DargLine="-Xmx1g -Djava.util.concurrent.ForkJoinPool.common.parallelism=4"  # what LbAgentMain sets
 * </pre>
 */
class AppendThreadsMeasurement {
    private static final int WRITES = 500;

    @TempDir
    Path root;

    /** The same outside JUnit: {@code java -cp ... io.ringfleet.state.raft.AppendThreadsMeasurement}. */
    public static void main(String[] args) throws Exception {
        AppendThreadsMeasurement m = new AppendThreadsMeasurement();
        m.root = java.nio.file.Files.createTempDirectory("append-threads");
        m.threadsStartedPerCommittedWrite();
        System.exit(0);
    }

    @Test
    void threadsStartedPerCommittedWrite() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (TestCluster cluster = new TestCluster(root, 3, RandomBatches.LIMITS, b -> {})) {
            cluster.startAll();
            ClusterModel model = new ClusterModel(7);
            for (int i = 0; i < 20; i++) { // warm-up: leader elected, channels open
                cluster.client().submit(model.next());
            }
            long before = threads.getTotalStartedThreadCount();
            long start = System.nanoTime();
            for (int i = 0; i < WRITES; i++) {
                CommandBatch batch = model.next();
                cluster.client().submit(batch);
            }
            long started = threads.getTotalStartedThreadCount() - before;
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "append-threads: common-pool parallelism %d, %d writes in %.1f s, %d threads started (%.2f per"
                            + " write)%n",
                    ForkJoinPool.getCommonPoolParallelism(), WRITES, seconds, started, (double) started / WRITES);
        }
    }
}
