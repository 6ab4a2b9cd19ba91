package io.ringfleet.bpf;

import io.ringfleet.bpf.testing.Bpffs;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Shared by the bridge tests: test BPF objects and throw-away bpffs directories. */
final class TestSupport {
    private TestSupport() {}

    /** A test-only BPF object (src/test/c) built into target/test-classes/native. */
    /**
     * Skips the calling test when the kernel refuses a facility it probed, printing one line with
     * the reason (Surefire counts the skip but does not print assumption messages).
     */
    static void assumeFacility(String test, Optional<String> refusal) {
        refusal.ifPresent(reason -> System.out.println(test + " skipped: " + reason));
        Assumptions.assumeTrue(refusal.isEmpty(), () -> refusal.orElseThrow());
    }

    static Path testObject(String name) {
        return Bpf.resourceFile("/native/" + name + ".bpf.o");
    }

    /** A fresh directory in bpffs; delete with {@link Bpffs#deleteTree}. */
    static Path bpffsDir(String prefix) {
        return Bpffs.createDir("rf-test-" + prefix);
    }

    /** Closes each of {@code resources} that is not null, best effort: what one close throws is ignored. */
    static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** A minimal Ethernet + IPv4 + UDP frame (addresses inside the test's own namespaces). */
    static byte[] udpFrame(int len) {
        byte[] f = new byte[Math.max(len, 42)];
        // dst MAC, src MAC
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) 0x02;
            f[6 + i] = (byte) 0x04;
        }
        f[12] = 0x08;
        f[13] = 0x00;
        f[14] = 0x45;
        int ipLen = f.length - 14;
        f[16] = (byte) (ipLen >> 8);
        f[17] = (byte) ipLen;
        f[22] = 64;
        f[23] = 17;
        byte[] src = {10, 77, 0, 1};
        byte[] dst = {10, 77, 1, 1};
        System.arraycopy(src, 0, f, 26, 4);
        System.arraycopy(dst, 0, f, 30, 4);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        int csum = ~sum & 0xffff;
        f[24] = (byte) (csum >> 8);
        f[25] = (byte) csum;
        f[34] = 0x30; // sport 12345
        f[35] = 0x39;
        f[36] = 0x00; // dport 80
        f[37] = 80;
        int udpLen = ipLen - 20;
        f[38] = (byte) (udpLen >> 8);
        f[39] = (byte) udpLen;
        return f;
    }
}
