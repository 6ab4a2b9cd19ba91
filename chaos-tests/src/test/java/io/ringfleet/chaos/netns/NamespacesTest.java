package io.ringfleet.chaos.netns;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.NetNs;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class NamespacesTest {
    @Test
    void aPrefixIsUniqueToTheRunAndNamesThisJvm() {
        String a = Namespaces.newPrefix();
        assertTrue(a.matches("rfc-" + ProcessHandle.current().pid() + "-[0-9a-f]{4}-"), a);
    }

    @Test
    void deleteAllRefusesAPrefixThatIsNotARunsPrefix() {
        assertThrows(IllegalArgumentException.class, () -> Namespaces.deleteAll(""));
        assertThrows(IllegalArgumentException.class, () -> Namespaces.deleteAll("rfc-"));
        assertThrows(IllegalArgumentException.class, () -> Namespaces.deleteAll("other-"));
    }

    @Test
    void deleteStaleRemovesTheNamespacesOfDeadRunsOnly() {
        Assumptions.assumeTrue(Root.isRoot(), "needs root: network namespaces");
        long dead = 4_000_000;
        while (ProcessHandle.of(dead).isPresent()) {
            dead++;
        }
        String stale = "rfc-" + dead + "-abcd-x";
        String live = Namespaces.newPrefix() + "x";
        NetNs.run(List.of("ip", "netns", "add", stale));
        NetNs.run(List.of("ip", "netns", "add", live));
        try {
            Namespaces.deleteStale();
            assertFalse(Namespaces.list().contains(stale), "a dead run's namespace is removed");
            assertTrue(Namespaces.list().contains(live), "a live run's namespace is kept");
        } finally {
            Namespaces.deleteAll(live.substring(0, live.length() - 1));
            if (Namespaces.list().contains(stale)) {
                NetNs.run(List.of("ip", "netns", "del", stale));
            }
        }
    }
}
