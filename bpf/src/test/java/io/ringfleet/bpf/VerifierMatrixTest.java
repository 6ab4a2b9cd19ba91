package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Loads every shipped BPF object listed in variants.txt (the Makefile writes it: every balancer
 * compile-time variant and every other program) through the kernel verifier.
 */
class VerifierMatrixTest {

    static List<String> variants() throws IOException {
        return Files.readAllLines(Bpf.resourceFile("/native/variants.txt")).stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    @TestFactory
    Stream<DynamicTest> everyShippedVariantPassesTheVerifier() throws IOException {
        List<String> names = variants();
        assertTrue(names.containsAll(List.of("healthcheck", "xdp_root")), names.toString());
        return names.stream()
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    try (BpfObject obj = BpfObject.open(Bpf.shippedObject(name))) {
                        if (obj.mapNames().contains("ch_rings")) {
                            obj.setMaxEntries(
                                    "ch_rings", 65537); // one ring: the default size takes ~134 MB of kernel memory
                        }
                        List<String> progs = obj.programNames();
                        assertFalse(progs.isEmpty(), name + " has no program");
                        obj.load();
                        for (String p : progs) {
                            try (BpfProgram prog = obj.program(p)) {
                                assertTrue(prog.id() > 0);
                            }
                        }
                    }
                }));
    }
}
