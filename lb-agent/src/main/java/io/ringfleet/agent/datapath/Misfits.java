package io.ringfleet.agent.datapath;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The reasons an image does not fit maps opened with a {@link DatapathConfig}, one line each. The checks run in
 * {@link EncodedMaps#next} before anything is written, so a misfit changes nothing in the kernel.
 */
final class Misfits {
    private Misfits() {}

    static String vipNum(VipKey key, int vipNum, DatapathConfig config) {
        return "vip " + key + " has vip_num " + vipNum + ", the maps hold 0.." + (config.maxVips() - 1);
    }

    static String ringSize(int size) {
        return "rings have " + size + " slots, the balancer " + DatapathConfig.RING_SIZE;
    }

    static String realIndex(int index, IpAddress address, DatapathConfig config) {
        return "real index " + index + " (" + address + ") is beyond the reals map's 0.." + (config.maxReals() - 1);
    }

    static String quicId(long id) {
        return "QUIC server id " + id + " does not fit 32 bits";
    }

    /** The limits on how many entries a map holds (and whether the health-check forwarder is there at all). */
    static List<String> counts(int vipAddresses, int quicIds, int downReals, int healthChecks, DatapathConfig config) {
        List<String> out = new ArrayList<>();
        if (vipAddresses > config.maxVipAddresses()) {
            out.add(vipAddresses + " VIP addresses, vip_addrs holds " + config.maxVipAddresses());
        }
        if (quicIds > config.maxQuicIds()) {
            out.add(quicIds + " QUIC server ids, quic_ids holds " + config.maxQuicIds());
        }
        if (downReals > config.maxDownReals()) {
            out.add(downReals + " down reals, down_reals holds " + config.maxDownReals());
        }
        if (healthChecks > 0 && !config.healthCheck()) {
            out.add(healthChecks + " health-check destinations, but the health-check forwarder is not loaded");
        }
        if (healthChecks > config.maxHealthCheckDsts()) {
            out.add(healthChecks + " health-check destinations, hc_reals holds " + config.maxHealthCheckDsts());
        }
        return out;
    }
}
