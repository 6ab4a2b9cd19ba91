package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.UpdateFlag;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.abi.DownRealKey;
import io.ringfleet.bpf.abi.Real;
import io.ringfleet.bpf.abi.VipKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * STAND-IN, to be replaced by lb-agent's MapProgrammer (io.ringfleet.agent.datapath) once it lands: writes
 * one LB's balancer maps from a {@link DatapathState}, in the order bpf/README.md requires of userspace —
 * new reals before any ring slot points at them, then the changed ring slots only, then VIPs (a VIP
 * appears after its ring), then removed VIPs, down marks, and last the reals no ring points at any more.
 * It diffs against what it wrote itself, not against the kernel: it is the demo's provisioning step, not
 * the agent's reconciler (no restart story, no pinning).
 */
public final class MapProvisioner {
    private static final int BATCH = 8192;

    private final BalancerNode node;
    private DatapathState written = DatapathState.EMPTY;
    private long slotWrites;

    public MapProvisioner(BalancerNode node) {
        this.node = node;
    }

    /** Writes the node-local gateway MAC (ctl_array): the router's MAC on this LB's link. */
    public void gatewayMac(byte[] mac) {
        node.map("ctl_array").update(BpfMap.u32(Ctl.GATEWAY_MAC), new Ctl(mac).encode());
    }

    /** Brings the maps from what was last written to want. Returns the ring slots written. */
    public synchronized long apply(DatapathState want) {
        long before = slotWrites;
        // 1. reals that are new or changed
        BpfMap reals = node.map("reals");
        for (Map.Entry<Integer, byte[]> e : want.reals().entrySet()) {
            byte[] had = written.reals().get(e.getKey());
            if (had == null || !Arrays.equals(had, e.getValue())) {
                reals.update(BpfMap.u32(e.getKey()), e.getValue());
            }
        }
        // 2. ring slots that differ, for every VIP that stays or comes
        for (DatapathState.Vip v : want.vips().values()) {
            writeRing(v.vipNum(), ringOf(written, v.vipNum()), v.ring());
        }
        // 3. VIPs that are new or changed, then the address set
        BpfMap vipMap = node.map("vip_map");
        for (DatapathState.Vip v : want.vips().values()) {
            if (!written.sameVip(want, v.vipNum())) {
                DatapathState.Vip old = written.vips().get(v.vipNum());
                if (old != null && !Arrays.equals(old.key(), v.key())) {
                    vipMap.delete(old.key());
                }
                vipMap.update(v.key(), v.meta());
            }
        }
        // 4. VIPs that went: out of vip_map first, then their rings zeroed
        for (DatapathState.Vip old : written.vips().values()) {
            if (!want.vips().containsKey(old.vipNum())) {
                vipMap.delete(old.key());
                writeRing(old.vipNum(), old.ring(), new char[BalancerNode.RING_SIZE]);
            }
        }
        writeVipAddresses(want);
        // 5. down marks
        BpfMap down = node.map("down_reals");
        for (DownRealKey k : written.downReals()) {
            if (!want.downReals().contains(k)) {
                down.delete(k.encode());
            }
        }
        for (DownRealKey k : want.downReals()) {
            if (!written.downReals().contains(k)) {
                down.update(k.encode(), new byte[] {1});
            }
        }
        // 6. reals no ring points at any more: zeroed last
        for (int index : written.reals().keySet()) {
            if (!want.reals().containsKey(index)) {
                reals.update(BpfMap.u32(index), new byte[Real.SIZE]);
            }
        }
        written = want;
        return slotWrites - before;
    }

    private void writeVipAddresses(DatapathState want) {
        Map<VipKey, Integer> count = new HashMap<>();
        for (DatapathState.Vip v : want.vips().values()) {
            count.merge(addressKey(v.key()), 1, Integer::sum);
        }
        Map<VipKey, Integer> had = new HashMap<>();
        for (DatapathState.Vip v : written.vips().values()) {
            had.merge(addressKey(v.key()), 1, Integer::sum);
        }
        BpfMap addrs = node.map("vip_addrs");
        for (Map.Entry<VipKey, Integer> e : count.entrySet()) {
            if (!e.getValue().equals(had.get(e.getKey()))) {
                addrs.update(e.getKey().encode(), BpfMap.u32(e.getValue()));
            }
        }
        for (VipKey k : had.keySet()) {
            if (!count.containsKey(k)) {
                addrs.delete(k.encode());
            }
        }
    }

    private static VipKey addressKey(byte[] vipKey) {
        return new VipKey(VipKey.decode(vipKey).address(), 0, 0);
    }

    private static char[] ringOf(DatapathState s, int vipNum) {
        DatapathState.Vip v = s.vips().get(vipNum);
        return v == null ? new char[BalancerNode.RING_SIZE] : v.ring();
    }

    private void writeRing(int vipNum, char[] had, char[] want) {
        BpfMap rings = node.map("ch_rings");
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int slot = 0; slot < want.length; slot++) {
            if (had[slot] != want[slot]) {
                keys.add(BpfMap.u32(vipNum * BalancerNode.RING_SIZE + slot));
                values.add(BpfMap.u32(want[slot]));
                if (keys.size() == BATCH) {
                    slotWrites += rings.updateBatch(keys, values, UpdateFlag.ANY);
                    keys.clear();
                    values.clear();
                }
            }
        }
        slotWrites += rings.updateBatch(keys, values, UpdateFlag.ANY);
    }
}
