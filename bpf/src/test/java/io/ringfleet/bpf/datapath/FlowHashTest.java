package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.bpf.FlowHash;
import io.ringfleet.testing.KatranData;
import org.junit.jupiter.api.Test;

/** {@link FlowHash} (the Java flow hash explain uses, and the tests' oracle for ring slots) against Katran's vectors. */
class FlowHashTest {

    @Test
    void matchesKatransFlowHashVectors() {
        JsonNode vectors = KatranData.load().json("flow_hashes.json").get("vectors");
        assertEquals(6, vectors.size());
        for (JsonNode v : vectors) {
            String what = v.toString();
            assertEquals(
                    v.get("jhash").asLong(),
                    Integer.toUnsignedLong(FlowHash.hash(
                            Packets.ip(v.get("src").asText()),
                            v.get("sport").asInt(),
                            v.get("dport").asInt())),
                    what);
            assertEquals(
                    v.get("slot_65537").asInt(),
                    FlowHash.slot(
                            Packets.ip(v.get("src").asText()),
                            v.get("sport").asInt(),
                            v.get("dport").asInt(),
                            65537),
                    what);
        }
    }
}
