package io.ringfleet.chaos.netnschaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The operator writes of a scenario on its chaos VIPs ({@code tcp ADDRESS:PORT}, ports from {@value #FIRST_PORT}),
 * and the check of a final state against them. Writes on one VIP are sequential, and a VIP gets no write after
 * one whose outcome is unknown (lbctl failed or timed out). So a VIP's final state must be the state its
 * acknowledged writes give, or that plus the unknown write applied in full; anything else is a lost
 * acknowledged write or a write applied in part. Thread-safe.
 */
final class WriteLedger {
    static final int FIRST_PORT = 9001;

    private final String address;
    private final Map<Integer, ChaosVip> vips = new TreeMap<>();
    private int nextPort = FIRST_PORT;
    private int acknowledged;
    private int failed;

    /** @param address the chaos VIPs' address as the API writes it */
    WriteLedger(String address) {
        this.address = address;
    }

    /** One chaos VIP: its state by its acknowledged writes, and the write of unknown outcome if there was one. */
    static final class ChaosVip {
        final int port;
        SortedMap<String, Integer> acked; // real → weight; null: the VIP does not exist
        VipOp unknown;

        ChaosVip(int port) {
            this.port = port;
        }

        /** Whether more writes may go here: it exists and no write's outcome is unknown. */
        boolean open() {
            return unknown == null && acked != null;
        }

        boolean mayExist() {
            return acked != null || unknown != null;
        }
    }

    /** A VIP never written before (its first write must be a {@link VipOp.Create}). */
    synchronized ChaosVip newVip() {
        ChaosVip v = new ChaosVip(nextPort++);
        vips.put(v.port, v);
        return v;
    }

    synchronized List<ChaosVip> open() {
        return vips.values().stream().filter(ChaosVip::open).toList();
    }

    synchronized long mayExist() {
        return vips.values().stream().filter(ChaosVip::mayExist).count();
    }

    /** Records a write's outcome: ok = acknowledged (lbctl exit 0), else unknown. */
    synchronized void record(ChaosVip v, VipOp op, boolean ok) {
        if (!v.open() && !(v.acked == null && v.unknown == null && op instanceof VipOp.Create)) {
            throw new IllegalStateException("a write on " + v.port + " after one of unknown outcome or its delete");
        }
        if (ok) {
            acknowledged++;
            v.acked = op.apply(v.acked);
        } else {
            failed++;
            v.unknown = op;
        }
    }

    synchronized int acknowledged() {
        return acknowledged;
    }

    synchronized int failed() {
        return failed;
    }

    synchronized int vipsWritten() {
        return vips.size();
    }

    /** What a final state says of the writes. */
    record Verdict(List<String> violations, int unknownApplied, int unknownAbsent, List<String> appliedFailedWrites) {}

    /**
     * Checks one node's final VIPs (VIP text as {@link FleetReads#vips} gives it → real → weight; other VIPs than
     * the chaos ones are ignored): every acknowledged write there, every unknown one there in full or not at all,
     * no chaos VIP that was never written.
     */
    synchronized Verdict verify(String node, SortedMap<String, SortedMap<String, Integer>> actual) {
        List<String> violations = new ArrayList<>();
        int applied = 0;
        int absent = 0;
        List<String> appliedWrites = new ArrayList<>();
        for (ChaosVip v : vips.values()) {
            SortedMap<String, Integer> found = actual.get(FleetReads.vipText("TCP", address, v.port));
            SortedMap<String, Integer> withUnknown = v.unknown == null ? v.acked : v.unknown.apply(v.acked);
            if (Objects.equals(found, v.acked)) {
                absent += Objects.equals(withUnknown, v.acked) ? 0 : 1;
            } else if (v.unknown != null && Objects.equals(found, withUnknown)) {
                applied++;
                appliedWrites.add(address + ":" + v.port + " " + v.unknown);
            } else {
                violations.add(node + ": " + address + ":" + v.port + " holds " + text(found)
                        + "; its acknowledged writes give " + text(v.acked)
                        + (v.unknown == null ? "" : ", or with the failed " + v.unknown + ": " + text(withUnknown)));
            }
        }
        String prefix = FleetReads.vipText("TCP", address, 0);
        prefix = prefix.substring(0, prefix.length() - 1);
        for (String key : actual.keySet()) {
            if (key.startsWith(prefix)) {
                int port = Integer.parseInt(key.substring(prefix.length()));
                if (port >= FIRST_PORT && !vips.containsKey(port)) {
                    violations.add(node + ": " + key + " exists but was never written");
                }
            }
        }
        return new Verdict(violations, applied, absent, appliedWrites);
    }

    private static String text(SortedMap<String, Integer> state) {
        return state == null ? "no VIP" : "reals " + state;
    }
}
