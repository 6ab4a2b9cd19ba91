package io.ringfleet.bpf.datapath;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.testing.KatranData;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * provision.json applied to a balancer exactly as given: rings as listed, conn_lru_maps left empty so the
 * fallback table is used, like Katran's test mode. A fixture set's own provisioning file (or one phase of it)
 * is applied on top with {@link #applySection}.
 */
final class KatranProvisioning {
    private KatranProvisioning() {}

    static void provision(KatranData data, BalancerUnderTest lb) {
        JsonNode provision = data.provision();
        lb.gatewayMac(data.gatewayMac());
        data.reals().forEach(lb::addReal);
        applyVips(lb, provision.get("vips"), List.of(provision.get("rings")));
        for (JsonNode q : provision.get("quic_server_id_map")) {
            lb.quicId(q.get("server_id").asInt(), q.get("real_index").asInt());
        }
        markDown(lb, provision.get("down_reals"), List.of(provision.get("vips")));
    }

    /**
     * One section of a set's provisioning file (the file itself, or a phase of it): its {@code vips_modified},
     * {@code reals_added}, {@code vips_added} (prefix VIPs, with {@code cidr_prefix_len}, into cidr_vips; rings from the file's own {@code rings}, else provision.json's) and
     * {@code down_reals_added} (VIPs found among provision.json's and the file's VIPs).
     */
    static void applySection(KatranData data, BalancerUnderTest lb, JsonNode file, JsonNode section) {
        List<JsonNode> rings = new ArrayList<>();
        if (file.has("rings")) {
            rings.add(file.get("rings"));
        }
        rings.add(data.provision().get("rings"));
        if (section.has("reals_added")) {
            for (JsonNode r : section.get("reals_added")) {
                lb.addReal(
                        r.get("index").asInt(), KatranData.ip(r.get("address").asText()));
            }
        }
        for (String key : List.of("vips_modified", "vips_added")) {
            if (section.has(key)) {
                applyVips(lb, section.get(key), rings);
            }
        }
        if (section.has("down_reals_added")) {
            List<JsonNode> vipLists = new ArrayList<>();
            vipLists.add(data.provision().get("vips"));
            file.findValues("vips_added").forEach(vipLists::add);
            markDown(lb, section.get("down_reals_added"), vipLists);
        }
    }

    /** VIPs (new or rewritten) and their rings, each ring taken from the first source that has its ring_id. */
    private static void applyVips(BalancerUnderTest lb, JsonNode vips, List<JsonNode> ringSources) {
        for (JsonNode v : vips) {
            int vipNum = v.get("vip_num").asInt();
            if (v.has("cidr_prefix_len")) {
                lb.addCidrVip(
                        KatranData.ip(v.get("address").asText()),
                        v.get("cidr_prefix_len").asInt(),
                        v.get("port").asInt(),
                        v.get("proto").asInt(),
                        v.get("flags").asInt(),
                        vipNum);
            } else {
                lb.addVip(
                        KatranData.ip(v.get("address").asText()),
                        v.get("port").asInt(),
                        v.get("proto").asInt(),
                        v.get("flags").asInt(),
                        vipNum);
            }
            JsonNode ring = ringSources.stream()
                    .map(r -> r.get(v.get("ring_id").asText()))
                    .filter(r -> r != null)
                    .findFirst()
                    .orElse(null);
            if (ring != null) {
                int[] slots = new int[BalancerUnderTest.RING_SIZE];
                for (int i = 0; i < slots.length; i++) {
                    slots[i] = ring.get(i).asInt();
                }
                lb.setRing(vipNum, slots);
            }
        }
    }

    /** down_reals entries ({vip, port, proto, real_index}); the VIP's number from the first list that has it. */
    private static void markDown(BalancerUnderTest lb, JsonNode downReals, List<JsonNode> vipLists) {
        for (JsonNode d : downReals) {
            InetAddress address = KatranData.ip(d.get("vip").asText());
            int vipNum = vipLists.stream()
                    .flatMap(list -> {
                        List<JsonNode> out = new ArrayList<>();
                        list.forEach(out::add);
                        return out.stream();
                    })
                    .filter(v -> KatranData.ip(v.get("address").asText()).equals(address)
                            && v.get("port").asInt() == d.get("port").asInt()
                            && v.get("proto").asInt() == d.get("proto").asInt())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("down real of an unknown VIP: " + d))
                    .get("vip_num")
                    .asInt();
            lb.markDown(vipNum, d.get("real_index").asInt());
        }
    }
}
