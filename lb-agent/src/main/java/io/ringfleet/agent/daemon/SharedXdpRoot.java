package io.ringfleet.agent.daemon;

import io.ringfleet.agent.datapath.DatapathException;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfException;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.MapType;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.config.XdpMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The xdp_root program that shared-mode nodes hang their balancer under (bpf/README.md, xdp_root): its program
 * array pinned at the node's {@code root-array-pin}, its program pinned beside it as {@code prog_xdp_root} and
 * attached to the interface. The first shared-mode agent on an interface installs it; later agents (and
 * restarts) find the pin and leave it as it is. Nothing here ever detaches.
 */
final class SharedXdpRoot {
    static final String PROGRAM_PIN = "prog_xdp_root";

    private SharedXdpRoot() {}

    /**
     * Empties {@code slot} of the root array pinned at {@code rootArrayPin} (a rejoining node's old balancer, whose
     * pins were cleared, would otherwise hold it and the new one be refused). Nothing to do if the array is not
     * pinned or the slot is empty. Returns what was done, for the log.
     */
    static synchronized String clearSlot(Path rootArrayPin, int slot) {
        if (!Files.exists(rootArrayPin)) {
            return "no xdp_root array at " + rootArrayPin + "; no slot to clear";
        }
        try (BpfMap root = BpfMap.openPinned(rootArrayPin)) {
            if (root.type() != MapType.PROG_ARRAY) {
                throw new DatapathException(
                        rootArrayPin + " is a " + root.type() + " map, not xdp_root's program array");
            }
            int held = root.lookup(BpfMap.u32(slot)).map(BpfMap::u32).orElse(0);
            if (held == 0) {
                return "slot " + slot + " of " + rootArrayPin + " already empty";
            }
            root.delete(BpfMap.u32(slot));
            return "cleared slot " + slot + " of " + rootArrayPin + " (held program id " + held + ")";
        } catch (BpfException e) {
            throw new DatapathException(
                    "clearing slot " + slot + " of " + rootArrayPin + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Makes sure the root array is pinned and the root program attached to {@code interfaceName}, in the calling
     * thread's network namespace. Returns what was done, for the log.
     *
     * @throws DatapathException when another XDP program holds the interface, or the pin is not a program array
     */
    static synchronized String ensure(Path rootArrayPin, String interfaceName, XdpMode mode) {
        Xdp.Mode xdpMode = mode == XdpMode.DRIVER ? Xdp.Mode.DRIVER : Xdp.Mode.GENERIC;
        Path programPin = rootArrayPin.resolveSibling(PROGRAM_PIN);
        int ifindex;
        try {
            ifindex = Xdp.ifindex(interfaceName);
        } catch (BpfException e) {
            throw new DatapathException(
                    "no interface " + interfaceName + " in this network namespace: " + e.getMessage(), e);
        }
        if (Files.exists(rootArrayPin)) {
            try (BpfMap root = BpfMap.openPinned(rootArrayPin)) {
                if (root.type() != MapType.PROG_ARRAY) {
                    throw new DatapathException(
                            rootArrayPin + " is a " + root.type() + " map, not xdp_root's program array");
                }
            }
            int attached = Xdp.attachedId(ifindex, xdpMode);
            if (attached == 0 && Files.exists(programPin)) {
                try (BpfProgram prog = BpfProgram.openPinned(programPin)) {
                    Xdp.attach(ifindex, prog, xdpMode);
                    return "attached the pinned xdp_root (" + programPin + ", id " + prog.id() + ") to "
                            + interfaceName;
                }
            }
            return "xdp_root already installed (" + rootArrayPin + "; XDP program id " + attached + " on "
                    + interfaceName + ")";
        }
        int other = Xdp.attachedId(ifindex, xdpMode);
        if (other != 0) {
            throw new DatapathException(
                    "interface " + interfaceName + " has XDP program id " + other + " but no xdp_root"
                            + " program array is pinned at " + rootArrayPin + "; detach it or fix root-array-pin");
        }
        try {
            Files.createDirectories(rootArrayPin.getParent());
        } catch (IOException e) {
            throw new DatapathException("cannot create " + rootArrayPin.getParent() + ": " + e, e);
        }
        try (BpfObject obj = BpfObject.open(Bpf.shippedObject("xdp_root")).load();
                BpfProgram prog = obj.program("xdp_root");
                BpfMap array = obj.map(MapNames.ROOT_ARRAY)) {
            BpfProgram.unpin(programPin);
            prog.pin(programPin);
            array.pin(rootArrayPin);
            try {
                Xdp.attach(ifindex, prog, xdpMode);
            } catch (BpfException e) {
                BpfProgram.unpin(rootArrayPin); // nothing half-installed: the next start tries again
                BpfProgram.unpin(programPin);
                throw e;
            }
            return "installed xdp_root on " + interfaceName + " (" + (mode == XdpMode.DRIVER ? "driver" : "generic")
                    + " mode, program id " + prog.id() + "), program array pinned at " + rootArrayPin;
        } catch (BpfException e) {
            throw new DatapathException(
                    "installing xdp_root on " + interfaceName + " (array pin " + rootArrayPin + ") failed: "
                            + e.getMessage(),
                    e);
        }
    }
}
