package io.ringfleet.chaos.netnschaos;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One operator write on one chaos VIP, as its effect on that VIP's state (real address → weight; {@code null} =
 * the VIP does not exist). A write is all or nothing, so its outcome is one of two states.
 */
sealed interface VipOp {
    SortedMap<String, Integer> apply(SortedMap<String, Integer> state);

    /** add_vip with its reals, in one batch ({@code lbctl apply}). */
    record Create(SortedMap<String, Integer> reals) implements VipOp {
        @Override
        public SortedMap<String, Integer> apply(SortedMap<String, Integer> state) {
            return new TreeMap<>(reals);
        }
    }

    /** {@code lbctl real add}. */
    record AddReal(String address, int weight) implements VipOp {
        @Override
        public SortedMap<String, Integer> apply(SortedMap<String, Integer> state) {
            SortedMap<String, Integer> s = new TreeMap<>(state);
            s.put(address, weight);
            return s;
        }
    }

    /** {@code lbctl real weight}. */
    record Reweight(String address, int weight) implements VipOp {
        @Override
        public SortedMap<String, Integer> apply(SortedMap<String, Integer> state) {
            SortedMap<String, Integer> s = new TreeMap<>(state);
            s.put(address, weight);
            return s;
        }
    }

    /** {@code lbctl real delete}. */
    record RemoveReal(String address) implements VipOp {
        @Override
        public SortedMap<String, Integer> apply(SortedMap<String, Integer> state) {
            SortedMap<String, Integer> s = new TreeMap<>(state);
            s.remove(address);
            return s;
        }
    }

    /** {@code lbctl vip delete}. */
    record Delete() implements VipOp {
        @Override
        public SortedMap<String, Integer> apply(SortedMap<String, Integer> state) {
            return null;
        }
    }
}
