package io.ringfleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.Xdp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * lbctl doctor on a real host made here: a namespace with a veth "dr0" whose settings the test sets (GRO,
 * neighbour entry, rp_filter, an XDP program), checked from inside the namespace.
 */
class DoctorTest {
    private NetNs ns;
    private NetNs peer;

    @BeforeEach
    void setUp() {
        ns = NetNs.create("rfdr");
        peer = NetNs.create("rfdp");
        NetNs.vethPair(ns, "dr0", peer, "peer0");
        ns.ip("addr", "add", "10.97.0.2/24", "dev", "dr0");
        ns.ip("link", "set", "dr0", "up");
    }

    @AfterEach
    void tearDown() {
        ns.close();
        peer.close();
    }

    private LbctlRunner.Result doctor(String... args) {
        return ns.call(() -> LbctlRunner.raw(args));
    }

    private static String line(LbctlRunner.Result r, String check) {
        return r.outLines().stream()
                .filter(l -> l.matches("^(ok|warn|fail)\\s+" + check + "\\s.*"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + check + " line in\n" + r));
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void bpffsWritableByOthersIsFlagged() throws Exception {
        for (String mode : List.of("1777", "0700")) {
            Path mount = bpffs(mode);
            try {
                LbctlRunner.Result r = doctor("doctor", "--bpffs", mount.toString());
                String bpffs = line(r, "bpffs");
                if (mode.equals("1777")) {
                    assertTrue(bpffs.startsWith("warn") && bpffs.contains("(mode 1777)"), r.toString());
                    assertTrue(r.out().contains("fix: chmod 0700 " + mount), r.toString());
                } else {
                    assertTrue(bpffs.startsWith("ok") && bpffs.contains("(mode 0700)"), r.toString());
                }
            } finally {
                unmount(mount);
            }
        }
    }

    /** A bpffs of its own at a new temp dir, its root chmod-ed to {@code mode}. */
    private static Path bpffs(String mode) throws Exception {
        Path mount = Files.createTempDirectory("rf-doctor-bpffs-");
        run("mount", "-t", "bpf", "bpf", mount.toString());
        run("chmod", mode, mount.toString());
        return mount;
    }

    private static void unmount(Path mount) throws Exception {
        run("umount", mount.toString());
        Files.deleteIfExists(mount);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }

    @Test
    void aHostThatIsNotReadyGetsWarningsWithFixes() {
        ns.exec("ethtool", "-K", "dr0", "gro", "on");
        ns.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1");
        LbctlRunner.Result r = doctor("doctor", "--interface", "dr0", "--gateway-mac", "02:00:00:00:00:09");
        assertEquals(0, r.exit(), r.toString());
        // /sys/fs/bpf is a bpffs here; whether its mode warns is bpffsWritableByOthersIsFlagged's business
        assertTrue(line(r, "bpffs").matches("^(ok|warn)\\s+bpffs\\s+/sys/fs/bpf is a bpffs mount.*"), r.toString());
        assertTrue(line(r, "xdp").startsWith("warn  xdp          no XDP program on dr0"), r.toString());
        assertTrue(line(r, "gateway-mac").startsWith("warn"), r.toString());
        assertTrue(line(r, "lro-gro").contains("GRO enabled on dr0"), r.toString());
        assertTrue(r.out().contains("fix: ethtool -K dr0 gro off"), r.toString());
        assertTrue(line(r, "rp_filter").startsWith("warn"), r.toString());
        assertTrue(r.out().contains("fix: sysctl -w net.ipv4.conf.all.rp_filter=0"), r.toString());
    }

    @Test
    void aPreparedHostPassesAndJsonHasOneLinePerCheck() throws Exception {
        // a prepared host's bpffs is root's only (this machine's /sys/fs/bpf is shared and 1777)
        Path bpffs = bpffs("0700");
        try {
            aPreparedHostPasses(bpffs.toString());
        } finally {
            unmount(bpffs);
        }
    }

    private void aPreparedHostPasses(String bpffs) {
        ns.exec("ethtool", "-K", "dr0", "gro", "off");
        ns.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        ns.ip("neigh", "add", "10.97.0.1", "lladdr", "02:00:00:00:00:09", "dev", "dr0", "nud", "permanent");
        try (BpfObject root = BpfObject.open(Bpf.shippedObject("xdp_root")).load();
                BpfProgram prog = root.program("xdp_root")) {
            ns.run(() -> Xdp.attach(Xdp.ifindex("dr0"), prog, Xdp.Mode.DRIVER));
            LbctlRunner.Result r = doctor(
                    "doctor",
                    "--interface",
                    "dr0",
                    "--gateway-mac",
                    "02:00:00:00:00:09",
                    "--xdp-mode",
                    "driver",
                    "--bpffs",
                    bpffs);
            assertEquals(0, r.exit(), r.toString());
            for (String check : List.of("bpffs", "xdp", "gateway-mac", "lro-gro", "rp_filter")) {
                assertTrue(line(r, check).startsWith("ok"), check + ":\n" + r);
            }
            assertTrue(line(r, "xdp").contains("id " + prog.id() + " on dr0 in driver mode"), r.toString());
            LbctlRunner.Result generic = doctor("doctor", "--interface", "dr0", "--xdp-mode", "generic");
            assertTrue(
                    line(generic, "xdp").startsWith("warn")
                            && line(generic, "xdp").contains("expected generic"),
                    line(generic, "xdp") + "\n" + generic);
            LbctlRunner.Result json = doctor("doctor", "-o", "json", "--interface", "dr0");
            assertEquals(7, json.outLines().size(), json.toString());
            assertTrue(json.outLines().get(0).startsWith("{\"check\":\"bpffs\""), json.toString());
        } finally {
            ns.run(() -> Xdp.detach(Xdp.ifindex("dr0"), Xdp.Mode.DRIVER));
        }
    }

    @Test
    void aMissingInterfaceFailsWithExitOne() {
        LbctlRunner.Result r = doctor("doctor", "--interface", "nope0");
        assertEquals(ExitCodes.FAILED, r.exit(), r.toString());
        assertTrue(line(r, "interface").startsWith("fail  interface    no interface nope0"), r.toString());
        LbctlRunner.Result usage = doctor("doctor", "--node", "lb1");
        assertEquals(ExitCodes.USAGE, usage.exit(), usage.toString());
    }
}
