package io.ringfleet.state.bench;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.store.SnapshotFile;
import io.ringfleet.state.store.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Snapshot write and load time of a full fleet (512 VIPs x 100 members, {@link FleetFixture}) with the
 * {@link SnapshotStore}: {@code write} is records + RocksDB table + fsync + rename + directory fsync;
 * {@code load} is RocksDB checksum verification + seal + replay + digest check. The directory is under
 * {@code java.io.tmpdir} (set {@code -Djava.io.tmpdir} to measure another disk). Sample-time mode: the
 * report has the median and the percentiles. Run with {@code scripts/bench-raft.sh}; see BENCHMARKS.md.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SnapshotBench extends JmhDefaults {
    private Path dir;
    private SnapshotStore store;
    private FleetImage image;
    private SnapshotFile written;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("ringfleet-snapshot-bench");
        store = new SnapshotStore(dir);
        image = FleetFixture.image(ReplayBench.VIPS, ReplayBench.REALS_PER_VIP);
        written = store.write(image);
        System.err.printf(
                "snapshot of %d vips, %d reals, %d memberships: %d bytes (%s)%n",
                image.vips().size(),
                image.reals().size(),
                image.vips().all().stream().mapToInt(v -> v.realCount()).sum(),
                Files.size(written.path()),
                written.path());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public SnapshotFile write() throws IOException {
        return store.write(image);
    }

    @Benchmark
    public FleetImage load() throws IOException {
        return store.read(written);
    }
}
