package io.ringfleet.chaos.demo;

import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.DatapathState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's ring change during a drain: one real of the TCP VIPs set to weight 0 in the same log entry as the drain,
 * and back to weight 1 after the undrain. The drained LB's flows then reach LBs that have no connection-table entry
 * for them and whose ring of that VIP changed: a flow of that real is saved only by second chance (the LB sends it to
 * the slot's new real, whose ringfleet-backend finds no socket and sends it on to the previous real).
 *
 * <p>Only the TCP VIPs change: second chance is for TCP segments; a UDP flow that moved would go to the new real.
 *
 * @param real the real whose weight goes to 0
 * @param tcpVips the VIPs whose ring changes
 * @param flowsOnDrained open long-lived connections of that real in the drained LB's table before the drain
 */
record DrainRingChange(BackendNode real, List<VipKey> tcpVips, int flowsOnDrained) {

    /**
     * Picks the real with the most open connections in the drained LB's table (the first backend on a tie), so that
     * the change meets as many moved flows as the traffic allows.
     *
     * @param drainedTable the drained LB's connection table before the drain (flow → real index)
     * @param open the long-lived connections open now
     * @param state the fleet's maps (real indexes) before the change
     */
    static DrainRingChange pick(
            List<BackendNode> backends,
            List<VipKey> vips,
            Map<FlowKey, Integer> drainedTable,
            Set<FlowKey> open,
            DatapathState state) {
        BackendNode best = backends.get(0);
        int bestCount = -1;
        for (BackendNode b : backends) {
            int v4 = state.realIndexOf(b.address4());
            int v6 = state.realIndexOf(b.address6());
            int count = 0;
            for (FlowKey k : open) {
                Integer real = drainedTable.get(k);
                count += real != null && (real == v4 || real == v6) ? 1 : 0;
            }
            if (count > bestCount) {
                best = b;
                bestCount = count;
            }
        }
        List<VipKey> tcp =
                vips.stream().filter(v -> v.getProtocol() == Protocol.TCP).toList();
        return new DrainRingChange(best, tcp, bestCount);
    }

    /** SetRealWeights of the real on every TCP VIP. */
    List<Command> weight(int weight) {
        List<Command> out = new ArrayList<>();
        for (VipKey key : tcpVips) {
            String address = Addresses.text(key.getAddress().contains(":") ? real.address6() : real.address4());
            out.add(Command.newBuilder()
                    .setSetRealWeights(SetRealWeights.newBuilder()
                            .setVip(key)
                            .addReals(RealSpec.newBuilder().setAddress(address).setWeight(weight)))
                    .build());
        }
        return out;
    }
}
