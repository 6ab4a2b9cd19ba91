package io.ringfleet.state.maglev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.testing.KatranData;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our rings for the Katran test provisioning equal Katran's, slot for slot. The reals of each ring
 * come from the VIPs that use it; their hashes are computed by {@link RealHash} from the addresses
 * (not taken from the fixture), so this checks the whole chain address → hash → permutation → ring.
 */
class KatranRingsTest {

    @Test
    void buildsEveryProvisionedRingIdenticallyToKatran() throws Exception {
        JsonNode provision = KatranData.load().json("provision.json");
        int size = provision.get("ring_size").asInt();
        assertEquals(MaglevRing.DEFAULT_SIZE, size);
        assertTrue(provision.get("hash_function").asText().contains("v1"), "provisioning uses Maglev V1");

        Map<String, List<MaglevReal>> realsByRing = new LinkedHashMap<>();
        for (JsonNode vip : provision.get("vips")) {
            if (!vip.hasNonNull("ring_id")) {
                continue;
            }
            List<MaglevReal> reals = new ArrayList<>();
            for (JsonNode r : vip.get("reals")) {
                reals.add(MaglevReal.of(
                        r.get("index").asInt(),
                        InetAddress.getByName(r.get("address").asText()),
                        r.get("weight").asInt()));
            }
            List<MaglevReal> previous =
                    realsByRing.putIfAbsent(vip.get("ring_id").asText(), reals);
            if (previous != null) {
                assertEquals(
                        previous,
                        reals,
                        "VIPs sharing ring " + vip.get("ring_id").asText() + " share reals");
            }
        }

        JsonNode rings = provision.get("rings");
        int total = 0;
        int identical = 0;
        List<String> mismatches = new ArrayList<>();
        for (Iterator<String> it = rings.fieldNames(); it.hasNext(); ) {
            String id = it.next();
            total++;
            JsonNode expectedSlots = rings.get(id);
            List<MaglevReal> reals = realsByRing.get(id);
            if (reals == null) {
                mismatches.add(id + ": no VIP uses it, so its reals are unknown");
                continue;
            }
            MaglevRing ours = MaglevRing.build(reals, size, MaglevRing.Variant.V1);
            int differing = 0;
            int first = -1;
            for (int slot = 0; slot < size; slot++) {
                if (ours.realAt(slot) != expectedSlots.get(slot).asInt()) {
                    differing++;
                    if (first < 0) {
                        first = slot;
                    }
                }
            }
            if (expectedSlots.size() == size && differing == 0) {
                identical++;
            } else {
                mismatches.add(
                        id + ": " + differing + " of " + expectedSlots.size() + " slots differ, first at " + first);
            }
        }
        System.out.println("maglev-katran-rings: " + identical + "/" + total + " identical");
        assertEquals(2, total, "provision.json has ring0 and ring1");
        assertTrue(mismatches.isEmpty(), String.join("; ", mismatches));
        assertEquals(2, identical);
        assertFalse(realsByRing.isEmpty());
    }
}
