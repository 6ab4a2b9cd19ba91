package io.ringfleet.agent.datapath;

import io.ringfleet.agent.rings.PreviousRings;
import io.ringfleet.agent.rings.RingView;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.MacAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Programs a {@link BalancerDatapath}'s maps to what an image says: a worker, run by the agent's
 * {@code ProgrammingPipeline}, which owns what is programmed (index, image, failures, last report). Per image: the
 * desired maps ({@link EncodedMaps}, derived from the image and its Maglev rings, which the {@link RingView}
 * gives); a reading of the kernel; a {@link WritePlan} of only the entries that differ, in an order that never
 * lets a ring slot point at a missing real; the writes, batched per step.
 *
 * <p>The first run, a {@link #resync}, and the run after any failure read everything (every entry, the full
 * row of every VIP) and compare it with the image, so whatever an earlier agent left is corrected and nothing
 * equal is rewritten. Later runs read only the entries and ring slots that the image changed since the image of
 * the last successful run; what to write is still decided by what the kernel holds there, never by what the
 * programmer believes it holds. Those later runs also derive the desired maps from the last ones written
 * ({@link EncodedMaps#next}: a diff of the two images' persistent maps, which share what did not change), and
 * the ring view rebuilds only the rings whose VIP changed: their cost follows the change, not the size of the
 * fleet.
 *
 * <p>A run whose image does not fit the maps writes nothing and throws; a run whose write fails throws, and the
 * next run compares everything again. Runs are serialised.
 */
public final class MapProgrammer {
    private final BalancerDatapath datapath;
    private final MapIo io;
    private final MacAddress defaultGatewayMac;
    private final StepListener stepListener;
    private final Consumer<ProgramReport> onProgrammed;
    private final RingView rings;
    private final ConcurrentHashMap<String, LongAdder> written = new ConcurrentHashMap<>();

    /**
     * What the last successful run wrote and the image it was of: the base the next run diffs from (not a record
     * of what is programmed, which the pipeline keeps). Null before the first run and after a failed one.
     */
    private Written lastWritten;

    private record Written(FleetImage image, EncodedMaps maps) {}

    private MapProgrammer(Builder b) {
        this.datapath = b.datapath;
        this.io = new MapIo(b.datapath);
        this.defaultGatewayMac = b.defaultGatewayMac;
        this.stepListener = b.stepListener;
        this.onProgrammed = b.onProgrammed;
        this.rings = b.rings != null ? b.rings : new RingView(DatapathConfig.RING_SIZE);
    }

    public static Builder builder(BalancerDatapath datapath) {
        return new Builder(datapath);
    }

    /** Programs {@code image}, reading only what changed since the last image written where possible. */
    public synchronized ProgramReport program(FleetImage image) {
        return run(image, lastWritten == null);
    }

    /** Programs {@code image} after comparing every entry and every VIP's full ring row with the kernel. */
    public synchronized ProgramReport resync(FleetImage image) {
        return run(image, true);
    }

    private ProgramReport run(FleetImage image, boolean full) {
        Objects.requireNonNull(image, "image");
        long start = System.nanoTime();
        Written before = full ? null : lastWritten;
        EncodedMaps.Next next = desired(image, before);
        lastWritten = null;
        TreeMap<String, Integer> counts = new TreeMap<>();
        List<String> stepNames = new ArrayList<>();
        String current = "reading the kernel's maps";
        try {
            KernelReading reading = before == null
                    ? io.readAll(next.maps())
                    : io.readChanged(before.maps(), next.maps(), next.changes());
            for (WritePlan.Step step : WritePlan.of(next.maps(), reading).steps()) {
                current = step.name() + " (" + step.map() + ", " + step.size() + " entries)";
                io.execute(step);
                counts.merge(step.map(), step.size(), Integer::sum);
                written.computeIfAbsent(step.map(), m -> new LongAdder()).add(step.size());
                stepNames.add(step.name());
                if (stepListener != null) {
                    stepListener.afterStep(
                            step.name(),
                            step.map(),
                            step.puts().size(),
                            step.deletes().size());
                }
            }
            lastWritten = new Written(image, next.maps());
            ProgramReport report =
                    new ProgramReport(image.index(), reading.full(), counts, stepNames, System.nanoTime() - start);
            if (onProgrammed != null) {
                onProgrammed.accept(report);
            }
            return report;
        } catch (RuntimeException e) {
            throw new ProgrammingException(
                    image.index(),
                    false,
                    "programming image " + image.provenance() + " failed at: " + current + ": " + e.getMessage()
                            + "; the next run compares everything again",
                    e);
        }
    }

    /** The maps of {@code image}: from those of {@code before}, or from empty; nothing written if they do not fit. */
    private EncodedMaps.Next desired(FleetImage image, Written before) {
        EncodedMaps.Next next;
        try {
            FleetRings imageRings = rings.of(image);
            PreviousRings previous = datapath.config().variant().secondChance() ? rings.previousOf(image) : null;
            next = before == null
                    ? EncodedMaps.of(image, imageRings, previous, defaultGatewayMac, datapath.config())
                    : before.maps()
                            .next(before.image(), image, imageRings, previous, defaultGatewayMac, datapath.config());
        } catch (RuntimeException e) {
            throw new ProgrammingException(
                    image.index(), true, "image " + image.provenance() + " has no valid maps: " + e.getMessage(), e);
        }
        if (!next.misfits().isEmpty()) {
            throw new ProgrammingException(
                    image.index(),
                    true,
                    "image " + image.provenance() + " does not fit the datapath's maps (nothing written): "
                            + String.join("; ", next.misfits()),
                    null);
        }
        return next;
    }

    /** Where this programmer takes the rings of the images it programs from. */
    public RingView rings() {
        return rings;
    }

    /** The maps the last successful run wrote; null before the first run and after a failed one (for tests). */
    synchronized EncodedMaps lastWritten() {
        return lastWritten == null ? null : lastWritten.maps();
    }

    /** Entries written (puts and deletes) per map since this programmer was made. */
    public SortedMap<String, Long> entriesWritten() {
        TreeMap<String, Long> out = new TreeMap<>();
        written.forEach((m, n) -> out.put(m, n.sum()));
        return Collections.unmodifiableSortedMap(out);
    }

    public static final class Builder {
        private final BalancerDatapath datapath;
        private MacAddress defaultGatewayMac;
        private StepListener stepListener;
        private Consumer<ProgramReport> onProgrammed;
        private RingView rings;

        private Builder(BalancerDatapath datapath) {
            this.datapath = Objects.requireNonNull(datapath, "datapath");
        }

        /** ctl_array's MAC while the image has none (the node's configured gateway); default: zeros. */
        public Builder defaultGatewayMac(MacAddress mac) {
            this.defaultGatewayMac = mac;
            return this;
        }

        /** The node's ring view (the agent's one owner of rings); default: one of this programmer's own. */
        public Builder rings(RingView rings) {
            this.rings = Objects.requireNonNull(rings, "rings");
            return this;
        }

        public Builder stepListener(StepListener listener) {
            this.stepListener = listener;
            return this;
        }

        /** Called after each successful run (metrics: latency, entries written). */
        public Builder onProgrammed(Consumer<ProgramReport> listener) {
            this.onProgrammed = listener;
            return this;
        }

        public MapProgrammer build() {
            return new MapProgrammer(this);
        }
    }
}
