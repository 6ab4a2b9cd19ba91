package io.ringfleet.agent.rings;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This node's Maglev rings: the agent's one owner of them. The programming pipeline feeds it (the map programmer
 * asks it for the rings of the image it programs, the pipeline tells it which image is programmed); the API and
 * the node's status read it. The Raft state machine holds no rings.
 *
 * <p>Kept: the rings of the programmed image, and of a few images after it (read by the API or about to be
 * programmed), so each ring is built once per change. The rings of another image are derived from the kept rings
 * closest below it ({@link FleetRings#next(FleetImage)}: only the VIPs that differ are rebuilt), so no read ever
 * builds every ring of the fleet unless nothing was kept yet.
 *
 * <p>Readers never wait for a build when the rings they ask for are kept (peers poll the status every 20 ms);
 * builds are serialised. Images are those of one log: rings are matched by state index and by the image's VIPs
 * and reals.
 */
public final class RingView {
    /** Rings kept besides the programmed image's: images read or programmed after it. */
    static final int KEPT_AFTER_PROGRAMMED = 4;

    private final int ringSize;
    private final Object buildLock = new Object();
    private volatile Kept kept = new Kept(null, List.of());
    /** The previous rings last asked for (second chance), and the image they are of; null before the first. */
    private Previous previous;

    private record Previous(FleetImage image, PreviousRings rings) {}

    /** The programmed image's rings (null before the first) and the newer ones, ascending state index. */
    private record Kept(Entry programmed, List<Entry> newer) {}

    private record Entry(long stateIndex, FleetRings rings) {}

    public RingView(int ringSize) {
        this.ringSize = ringSize;
        FleetRings.empty(ringSize); // checks the size now
    }

    public int ringSize() {
        return ringSize;
    }

    /** The rings of {@code image}: kept ones when this state's are, else built from the closest kept ones. */
    public FleetRings of(FleetImage image) {
        FleetRings found = find(kept, image);
        if (found != null) {
            return found;
        }
        synchronized (buildLock) {
            Kept now = kept;
            found = find(now, image);
            if (found == null) {
                found = closestBelow(now, image.stateIndex()).next(image);
                kept = withNewer(now, new Entry(image.stateIndex(), found));
            }
            return found;
        }
    }

    /**
     * {@code image} is now in the kernel (the pipeline calls this after a run, or when Raft's own entries moved the
     * programmed index): its rings are kept, those of older images dropped.
     */
    public void programmed(FleetImage image) {
        FleetRings rings = of(image);
        synchronized (buildLock) {
            List<Entry> newer = new ArrayList<>();
            for (Entry e : kept.newer()) {
                if (e.stateIndex() > image.stateIndex()) {
                    newer.add(e);
                }
            }
            kept = new Kept(new Entry(image.stateIndex(), rings), List.copyOf(newer));
        }
    }

    private static FleetRings find(Kept k, FleetImage image) {
        if (k.programmed() != null && k.programmed().rings().isOf(image)) {
            return k.programmed().rings();
        }
        for (Entry e : k.newer()) {
            if (e.rings().isOf(image)) {
                return e.rings();
            }
        }
        return null;
    }

    /**
     * The previous rings of {@code image} (second chance's {@code ch_rings_prev}): derived from the last ones asked
     * for when those are of an image at or below it, else from empty. A ring that was current in that image and
     * became previous is taken from its kept current rings, never rebuilt (issue 18: each ring built once per
     * change).
     */
    public PreviousRings previousOf(FleetImage image) {
        synchronized (buildLock) {
            Previous p = previous;
            if (p != null && p.image() == image) {
                return p.rings();
            }
            boolean fromLast = p != null && p.image().stateIndex() <= image.stateIndex();
            FleetImage base = fromLast ? p.image() : FleetImage.EMPTY;
            FleetRings baseRings = fromLast ? find(kept, base) : null;
            PreviousRings next = (fromLast ? p.rings() : PreviousRings.empty(ringSize))
                    .next(
                            base,
                            image,
                            num -> baseRings == null
                                    ? Optional.empty()
                                    : baseRings.ring(num).map(FleetRings.VipRing::ring));
            previous = new Previous(image, next);
            return next;
        }
    }

    /** The kept rings of the highest state index at or below {@code stateIndex}; else the lowest kept; else none. */
    private FleetRings closestBelow(Kept k, long stateIndex) {
        Entry best = null;
        List<Entry> all = new ArrayList<>(k.newer());
        if (k.programmed() != null) {
            all.add(k.programmed());
        }
        for (Entry e : all) {
            boolean below = e.stateIndex() <= stateIndex;
            if (best == null
                    || (below && (best.stateIndex() > stateIndex || e.stateIndex() > best.stateIndex()))
                    || (!below && best.stateIndex() > stateIndex && e.stateIndex() < best.stateIndex())) {
                best = e;
            }
        }
        return best == null ? FleetRings.empty(ringSize) : best.rings();
    }

    /** {@code k} with {@code added} among the newer rings, the oldest dropped beyond the bound. */
    private static Kept withNewer(Kept k, Entry added) {
        List<Entry> newer = new ArrayList<>(k.newer());
        newer.removeIf(e -> e.stateIndex() == added.stateIndex());
        newer.add(added);
        newer.sort((a, b) -> Long.compare(a.stateIndex(), b.stateIndex()));
        while (newer.size() > KEPT_AFTER_PROGRAMMED) {
            newer.remove(0);
        }
        return new Kept(k.programmed(), List.copyOf(newer));
    }

    @Override
    public String toString() {
        Kept k = kept;
        return "RingView{ringSize=" + ringSize + ", programmed="
                + (k.programmed() == null ? "none" : k.programmed().rings().provenance()) + ", newer="
                + k.newer().size() + "}";
    }
}
