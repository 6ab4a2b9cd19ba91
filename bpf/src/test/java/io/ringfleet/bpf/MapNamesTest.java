package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** MapNames is the Java copy of the maps' C names: every shipped object has exactly the maps it lists. */
class MapNamesTest {
    private static Set<String> mapsOf(String object) {
        try (BpfObject obj = BpfObject.open(Bpf.shippedObject(object))) {
            // ".rodata", ".bss", ...: libbpf's internal maps, not declared by name.
            return new TreeSet<>(
                    obj.mapNames().stream().filter(n -> !n.contains(".")).toList());
        }
    }

    @Test
    void everyObjectHasTheListedMaps() {
        assertEquals(new TreeSet<>(MapNames.BALANCER), mapsOf("balancer"));
        assertEquals(new TreeSet<>(MapNames.BALANCER), mapsOf("balancer_toobig"));
        assertEquals(new TreeSet<>(MapNames.BALANCER), mapsOf("balancer_tpr"));
        Set<String> gue = new TreeSet<>(MapNames.BALANCER);
        gue.addAll(MapNames.BALANCER_GUE_EXTRA);
        assertEquals(gue, mapsOf("balancer_gue"));
        assertEquals(gue, mapsOf("balancer_tpr_gue"));
        Set<String> decap = new TreeSet<>(gue);
        decap.addAll(MapNames.BALANCER_DECAP_EXTRA);
        assertEquals(decap, mapsOf("balancer_gue_decap"));
        Set<String> cidr = new TreeSet<>(gue);
        cidr.addAll(MapNames.BALANCER_CIDR_EXTRA);
        assertEquals(cidr, mapsOf("balancer_gue_cidr"));
        Set<String> srcRouting = new TreeSet<>(gue);
        srcRouting.addAll(MapNames.BALANCER_SRC_ROUTING_EXTRA);
        assertEquals(srcRouting, mapsOf("balancer_gue_lpm_src"));
        Set<String> secondChance = new TreeSet<>(MapNames.BALANCER);
        secondChance.addAll(MapNames.BALANCER_SC_EXTRA);
        assertEquals(secondChance, mapsOf("balancer_sc"));
        assertEquals(secondChance, mapsOf("balancer_gue_sc"));
        assertEquals(new TreeSet<>(MapNames.HEALTH_CHECK), mapsOf("healthcheck"));
        assertEquals(new TreeSet<>(MapNames.XDP_ROOT), mapsOf("xdp_root"));
        assertEquals(new TreeSet<>(MapNames.BACKEND), mapsOf("backend"));
        assertEquals(new TreeSet<>(MapNames.FILTER), mapsOf("filter"));
    }
}
