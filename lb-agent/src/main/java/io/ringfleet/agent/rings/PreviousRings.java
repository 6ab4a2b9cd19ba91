package io.ringfleet.agent.rings;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.RingInput;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.collect.PersistentSortedMap;
import io.ringfleet.state.maglev.MaglevRing;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The previous ring of every VIP whose ring changed (second chance's {@code ch_rings_prev}): the ring of the
 * newest input of the VIP's ring history ({@link VipImage#ringHistory()}). Immutable.
 *
 * <p>Incremental like {@code FleetRings}: {@link #next} looks only at the VIPs the two images do not share (the
 * image's persistent maps are diffed), so a VIP whose history did not change costs nothing; and a ring that was
 * current and has just become previous is taken from the current rings' builder, not rebuilt.
 */
public final class PreviousRings {
    /** A previous ring and the input it was built from. */
    private record Built(RingInput input, MaglevRing ring) {}

    private final int ringSize;
    private final PersistentSortedMap<Integer, Built> rings;
    private final int rebuilt;

    private PreviousRings(int ringSize, PersistentSortedMap<Integer, Built> rings, int rebuilt) {
        this.ringSize = ringSize;
        this.rings = rings;
        this.rebuilt = rebuilt;
    }

    /** No previous ring: the rings of {@link FleetImage#EMPTY}. */
    public static PreviousRings empty(int ringSize) {
        MaglevRing.checkSize(ringSize);
        return new PreviousRings(ringSize, PersistentSortedMap.empty(), 0);
    }

    /**
     * The previous rings of {@code after}, derived from these (those of {@code before}).
     *
     * @param currentOfBefore the current ring of a vip_num in {@code before}, if built: reused when it is the one
     *     that became previous
     */
    public PreviousRings next(FleetImage before, FleetImage after, CurrentRings currentOfBefore) {
        Step step = new Step(before, currentOfBefore);
        before.vips().byNumMap().diff(after.vips().byNumMap(), (num, was, now) -> step.vip(num, was, now));
        return new PreviousRings(ringSize, step.next, step.built);
    }

    /** Where {@link #next} looks for a current ring to reuse. */
    @FunctionalInterface
    public interface CurrentRings {
        Optional<MaglevRing> ring(int vipNum);
    }

    /** The previous ring of the VIP under {@code vipNum}; empty when its ring never changed. */
    public Optional<MaglevRing> ring(int vipNum) {
        return Optional.ofNullable(rings.get(vipNum)).map(Built::ring);
    }

    /** vip_num → previous ring, ascending. */
    public SortedMap<Integer, MaglevRing> rings() {
        java.util.TreeMap<Integer, MaglevRing> out = new java.util.TreeMap<>();
        rings.forEach((num, b) -> out.put(num, b.ring()));
        return out;
    }

    /** How many rings the last {@link #next} built (neither kept nor taken from the current rings). */
    public int rebuilt() {
        return rebuilt;
    }

    public int ringSize() {
        return ringSize;
    }

    /** One {@link #next} step. */
    private final class Step {
        private final FleetImage before;
        private final CurrentRings currentOfBefore;
        private PersistentSortedMap<Integer, Built> next = rings;
        private int built;

        Step(FleetImage before, CurrentRings currentOfBefore) {
            this.before = before;
            this.currentOfBefore = currentOfBefore;
        }

        void vip(int num, VipImage was, VipImage now) {
            RingInput head = now == null || now.ringHistory().isEmpty()
                    ? null
                    : now.ringHistory().get(0);
            Built kept = next.get(num);
            if (head == null) {
                if (kept != null) {
                    next = next.minus(num);
                }
            } else if (kept == null || !kept.input().equals(head)) {
                next = next.plus(num, new Built(head, ringOf(num, was, head)));
            }
        }

        /** The ring of {@code head}: the current ring of {@code before} when that is what became previous. */
        private MaglevRing ringOf(int num, VipImage was, RingInput head) {
            if (was != null && RingInput.of(before, was).equals(head)) {
                Optional<MaglevRing> current = currentOfBefore.ring(num);
                if (current.isPresent()) {
                    return current.get();
                }
            }
            built++;
            return head.ring(ringSize);
        }
    }
}
