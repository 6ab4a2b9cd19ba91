package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.abi.GlobalCounter;
import java.util.Collection;

/**
 * One LB's balancer counters (summed over CPUs, cumulative).
 *
 * @param vipPackets packets matched to a VIP (vip_stats of the given VIPs)
 * @param tx frames forwarded (XDP_TX)
 * @param pass frames passed to the LB's own stack (ARP, neighbour discovery, non-VIP traffic)
 * @param drop frames dropped
 * @param tableHits packets whose flow was found in the connection table (per-CPU or fallback)
 * @param syns TCP SYNs (new flows, hashed and remembered)
 * @param hashedNonSyn non-SYN TCP packets of flows the LB had no entry for: hashed on the ring — a flow
 *     that moved here from another LB starts like this
 * @param chDrops packets dropped because the ring slot held no real
 */
public record LbCounters(
        long vipPackets, long tx, long pass, long drop, long tableHits, long syns, long hashedNonSyn, long chDrops) {
    public static LbCounters read(BalancerNode node, Collection<Integer> vipNums) {
        long vip = 0;
        for (int num : vipNums) {
            vip += node.vipStats(num).packets();
        }
        return new LbCounters(
                vip,
                node.global(GlobalCounter.XDP_TX).packets(),
                node.global(GlobalCounter.XDP_PASS).packets(),
                node.global(GlobalCounter.XDP_DROP).packets(),
                node.global(GlobalCounter.LRU_HIT).packets()
                        + node.global(GlobalCounter.FALLBACK_HIT).packets(),
                node.global(GlobalCounter.LRU_MISS_TCP_SYN).packets(),
                node.global(GlobalCounter.LRU_MISS_TCP_OTHER).packets(),
                node.global(GlobalCounter.CH_DROP).packets());
    }

    /** The counts of the phase from earlier to this. */
    public LbCounters since(LbCounters earlier) {
        return new LbCounters(
                vipPackets - earlier.vipPackets,
                tx - earlier.tx,
                pass - earlier.pass,
                drop - earlier.drop,
                tableHits - earlier.tableHits,
                syns - earlier.syns,
                hashedNonSyn - earlier.hashedNonSyn,
                chDrops - earlier.chDrops);
    }
}
