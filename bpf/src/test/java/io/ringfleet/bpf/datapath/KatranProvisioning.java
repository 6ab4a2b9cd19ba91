package io.ringfleet.bpf.datapath;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.testing.KatranData;
import java.net.InetAddress;

/**
 * provision.json applied to a balancer exactly as given: rings as listed, conn_lru_maps left empty so the
 * fallback table is used, like Katran's test mode.
 */
final class KatranProvisioning {
    private KatranProvisioning() {}

    static void provision(KatranData data, BalancerUnderTest lb) {
        JsonNode provision = data.provision();
        lb.gatewayMac(data.gatewayMac());
        data.reals().forEach(lb::addReal);
        for (JsonNode v : provision.get("vips")) {
            int vipNum = v.get("vip_num").asInt();
            lb.addVip(
                    KatranData.ip(v.get("address").asText()),
                    v.get("port").asInt(),
                    v.get("proto").asInt(),
                    v.get("flags").asInt(),
                    vipNum);
            JsonNode ring = provision.get("rings").get(v.get("ring_id").asText());
            if (ring != null) {
                int[] slots = new int[BalancerUnderTest.RING_SIZE];
                for (int i = 0; i < slots.length; i++) {
                    slots[i] = ring.get(i).asInt();
                }
                lb.setRing(vipNum, slots);
            }
        }
        for (JsonNode q : provision.get("quic_server_id_map")) {
            lb.quicId(q.get("server_id").asInt(), q.get("real_index").asInt());
        }
        for (JsonNode d : provision.get("down_reals")) {
            InetAddress address = KatranData.ip(d.get("vip").asText());
            int vipNum = data.vips().stream()
                    .filter(v -> v.address().equals(address)
                            && v.port() == d.get("port").asInt()
                            && v.protocol() == d.get("proto").asInt())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("down real of an unknown VIP: " + d))
                    .vipNum();
            lb.markDown(vipNum, d.get("real_index").asInt());
        }
    }
}
