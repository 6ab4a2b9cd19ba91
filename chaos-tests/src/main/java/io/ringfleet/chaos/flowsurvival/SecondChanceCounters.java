package io.ringfleet.chaos.flowsurvival;

import io.ringfleet.bpf.abi.BackendCounter;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.netns.BalancerNode;
import io.ringfleet.chaos.netns.RingfleetBackend;
import io.ringfleet.chaos.netns.Topology;

/**
 * What the datapath did, summed over the fleet, read from the kernels: the LBs' non-SYN TCP packets without a
 * connection-table entry (packets of flows that moved to them) and second-chance frames sent, the backends'
 * second-chance frames delivered locally and sent on to the second real. Compare two readings with {@link #since}.
 *
 * @param lbMissesNonSyn LBs' {@code LRU_MISS_TCP_OTHER}: non-SYN TCP packets with no table entry
 * @param lbSecondChance LBs' {@code SECOND_CHANCE}: second-chance frames sent
 * @param backendLocal backends' {@code SC_LOCAL}: second-chance frames whose connection the backend had
 * @param backendForwarded backends' {@code SC_FORWARDED}: sent on to the second real (the flow was saved)
 * @param backendUnroutable backends' {@code SC_UNROUTABLE}: sent on impossible, delivered locally
 */
public record SecondChanceCounters(
        long lbMissesNonSyn, long lbSecondChance, long backendLocal, long backendForwarded, long backendUnroutable) {

    public static SecondChanceCounters read(Topology topology, LbAgentFleet fleet) {
        long misses = 0;
        long frames = 0;
        for (BalancerNode lb : fleet.observeAll()) {
            misses += lb.global(GlobalCounter.LRU_MISS_TCP_OTHER).packets();
            frames += lb.global(GlobalCounter.SECOND_CHANCE).packets();
        }
        long local = 0;
        long forwarded = 0;
        long unroutable = 0;
        for (RingfleetBackend b : topology.ringfleetBackends()) {
            local += b.count(BackendCounter.SC_LOCAL).packets();
            forwarded += b.count(BackendCounter.SC_FORWARDED).packets();
            unroutable += b.count(BackendCounter.SC_UNROUTABLE).packets();
        }
        return new SecondChanceCounters(misses, frames, local, forwarded, unroutable);
    }

    public SecondChanceCounters since(SecondChanceCounters earlier) {
        return new SecondChanceCounters(
                lbMissesNonSyn - earlier.lbMissesNonSyn,
                lbSecondChance - earlier.lbSecondChance,
                backendLocal - earlier.backendLocal,
                backendForwarded - earlier.backendForwarded,
                backendUnroutable - earlier.backendUnroutable);
    }

    SecondChanceCounters plus(SecondChanceCounters o) {
        return new SecondChanceCounters(
                lbMissesNonSyn + o.lbMissesNonSyn,
                lbSecondChance + o.lbSecondChance,
                backendLocal + o.backendLocal,
                backendForwarded + o.backendForwarded,
                backendUnroutable + o.backendUnroutable);
    }

    public static final SecondChanceCounters ZERO = new SecondChanceCounters(0, 0, 0, 0, 0);

    @Override
    public String toString() {
        return String.format(
                "LBs: %d non-SYN packets without a table entry, %d second-chance frames;"
                        + " backends: %d kept (socket), %d sent on to the previous real, %d unroutable",
                lbMissesNonSyn, lbSecondChance, backendLocal, backendForwarded, backendUnroutable);
    }
}
