package io.ringfleet.agent.datapath;

import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.MacAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Keeps a {@link BalancerDatapath}'s maps equal to what each published image says. Per image: the desired maps
 * ({@link DesiredMaps}, a pure function of the image and its Maglev rings); a reading of the kernel; a
 * {@link WritePlan} of only the entries that differ, in an order that never lets a ring slot point at a
 * missing real; the writes, batched per step.
 *
 * <p>The first run, a {@link #resync}, and the run after any failure read everything (every entry, the full
 * row of every VIP) and compare it with the image, so whatever an earlier agent left is corrected and nothing
 * equal is rewritten. Later runs read only the entries and ring slots that the image changed since the last
 * programmed one; what to write is still decided by what the kernel holds there, never by what the programmer
 * believes it holds. Those later runs also derive the desired maps from the last programmed ones
 * ({@link EncodedMaps#next}: a diff of the two images' persistent maps, which share what did not change), and
 * rebuild only the rings whose VIP changed ({@link FleetRings#next(FleetImage)}): their cost follows the change,
 * not the size of the fleet.
 *
 * <p>{@link #programmedIndex()} is the index of the last image whose effects are all in the kernel. A run
 * whose image does not fit the maps writes nothing and throws; a run whose write fails throws and leaves the
 * programmed index where it was. Runs are serialised; the readers are thread-safe.
 */
public final class MapProgrammer implements FleetPublisher {
    private final BalancerDatapath datapath;
    private final MapIo io;
    private final MacAddress defaultGatewayMac;
    private final StepListener stepListener;
    private final Consumer<ProgramReport> onProgrammed;
    private final ConcurrentHashMap<String, LongAdder> written = new ConcurrentHashMap<>();
    private final LongAdder runs = new LongAdder();
    private final LongAdder failures = new LongAdder();

    private FleetRings rings = FleetRings.empty(DatapathConfig.RING_SIZE);
    private volatile FleetRings programmedRings;
    private EncodedMaps programmed;
    private FleetImage programmedImage;
    private DesiredMaps programmedMaps;
    private volatile long programmedIndex = -1;
    private volatile ProgramReport lastReport;

    private MapProgrammer(Builder b) {
        this.datapath = b.datapath;
        this.io = new MapIo(b.datapath);
        this.defaultGatewayMac = b.defaultGatewayMac;
        this.stepListener = b.stepListener;
        this.onProgrammed = b.onProgrammed;
    }

    public static Builder builder(BalancerDatapath datapath) {
        return new Builder(datapath);
    }

    @Override
    public synchronized void publish(FleetDelta delta, FleetImage image) {
        Objects.requireNonNull(delta, "delta");
        run(image, delta, programmed == null);
    }

    /** Programs {@code image}, reading only what changed since the last programmed image where possible. */
    public synchronized ProgramReport program(FleetImage image) {
        return run(image, null, programmed == null);
    }

    /** Programs {@code image} after comparing every entry and every VIP's full ring row with the kernel. */
    public synchronized ProgramReport resync(FleetImage image) {
        return run(image, null, true);
    }

    private ProgramReport run(FleetImage image, FleetDelta delta, boolean full) {
        Objects.requireNonNull(image, "image");
        long start = System.nanoTime();
        runs.increment();
        long index = image.index();
        EncodedMaps before = programmed;
        boolean incremental = !full && before != null;
        FleetRings nextRings;
        EncodedMaps encoded;
        EncodedMaps.Changes changes = null;
        List<String> misfits;
        try {
            nextRings = delta == null ? rings.next(image) : rings.next(delta, image);
            if (incremental) {
                EncodedMaps.Next next = before.next(programmedImage, image, nextRings, defaultGatewayMac,
                        datapath.config());
                encoded = next.maps();
                changes = next.changes();
                misfits = next.misfits();
            } else {
                DesiredMaps desired = DesiredMaps.of(image, nextRings, defaultGatewayMac);
                misfits = desired.misfits(datapath.config());
                encoded = misfits.isEmpty() ? EncodedMaps.of(desired) : null;
            }
        } catch (RuntimeException e) {
            failures.increment();
            throw new ProgrammingException(index, true, "image " + image.provenance() + " has no valid maps: "
                    + e.getMessage(), e);
        }
        if (!misfits.isEmpty()) {
            failures.increment();
            throw new ProgrammingException(index, true, "image " + image.provenance()
                    + " does not fit the datapath's maps (nothing written): " + String.join("; ", misfits), null);
        }
        rings = nextRings;
        programmed = null;
        TreeMap<String, Integer> counts = new TreeMap<>();
        List<String> stepNames = new ArrayList<>();
        String current = "reading the kernel's maps";
        try {
            KernelReading reading = incremental ? io.readChanged(before, encoded, changes) : io.readAll(encoded);
            WritePlan plan = WritePlan.of(encoded, reading);
            for (WritePlan.Step step : plan.steps()) {
                current = step.name() + " (" + step.map() + ", " + step.size() + " entries)";
                io.execute(step);
                counts.merge(step.map(), step.size(), Integer::sum);
                written.computeIfAbsent(step.map(), m -> new LongAdder()).add(step.size());
                stepNames.add(step.name());
                if (stepListener != null) {
                    stepListener.afterStep(step.name(), step.map(), step.puts().size(), step.deletes().size());
                }
            }
            ProgramReport report = new ProgramReport(index, reading.full(), counts, stepNames,
                    System.nanoTime() - start);
            programmed = encoded;
            programmedImage = image;
            programmedMaps = null;
            programmedRings = nextRings;
            programmedIndex = index;
            lastReport = report;
            if (onProgrammed != null) {
                onProgrammed.accept(report);
            }
            return report;
        } catch (RuntimeException e) {
            failures.increment();
            throw new ProgrammingException(index, false, "programming image " + image.provenance() + " failed at: "
                    + current + ": " + e.getMessage() + "; the next run compares everything again", e);
        }
    }

    /** The index of the last image whose effects are all in the kernel; -1 before the first. */
    public long programmedIndex() {
        return programmedIndex;
    }

    /**
     * The digest over reals and rings ({@link FleetRings#digest()}) of the last programmed image: nodes that
     * report equal digests forward every flow to the same real.
     */
    public Optional<String> programmedDigest() {
        FleetRings r = programmedRings;
        return r == null ? Optional.empty() : Optional.of(r.digestHex());
    }

    /**
     * The rings of the last programmed image: its provenance (the programmed index) and its digest in one
     * reading, so a status never pairs one run's index with another run's digest.
     */
    public Optional<FleetRings> programmedRings() {
        return Optional.ofNullable(programmedRings);
    }

    /** The maps of the last programmed image (derived in full from it on the first call after a run). */
    public synchronized Optional<DesiredMaps> programmedMaps() {
        if (programmedMaps == null && programmedImage != null) {
            programmedMaps = DesiredMaps.of(programmedImage, programmedRings, defaultGatewayMac);
        }
        return Optional.ofNullable(programmedMaps);
    }

    /** The encoded maps of the last programmed image; null before the first run and after a failed one. */
    synchronized EncodedMaps programmedEncoded() {
        return programmed;
    }

    public Optional<ProgramReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /** Entries written (puts and deletes) per map since this programmer was made. */
    public SortedMap<String, Long> entriesWritten() {
        TreeMap<String, Long> out = new TreeMap<>();
        written.forEach((m, n) -> out.put(m, n.sum()));
        return Collections.unmodifiableSortedMap(out);
    }

    public long runs() {
        return runs.sum();
    }

    public long failures() {
        return failures.sum();
    }

    @Override
    public String name() {
        return "bpf-map-programmer";
    }

    public static final class Builder {
        private final BalancerDatapath datapath;
        private MacAddress defaultGatewayMac;
        private StepListener stepListener;
        private Consumer<ProgramReport> onProgrammed;

        private Builder(BalancerDatapath datapath) {
            this.datapath = Objects.requireNonNull(datapath, "datapath");
        }

        /** ctl_array's MAC while the image has none (the node's configured gateway); default: zeros. */
        public Builder defaultGatewayMac(MacAddress mac) {
            this.defaultGatewayMac = mac;
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
