package io.ringfleet.agent.daemon;

import io.ringfleet.bpf.BpfException;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.Tc;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.config.AttachMode;
import io.ringfleet.config.NodeSettings;
import io.ringfleet.config.XdpMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code lb-agent --rejoin} wipes before the node starts again as a new member: its Raft storage (the data
 * dir's contents), its pinned BPF objects (the pin dir's contents) and, in shared mode, its own slot of xdp_root
 * (whose old balancer would otherwise keep the slot and make the new one be refused), or in standalone mode its own
 * programs on its interface. Other nodes' slots, the xdp_root program and its array stay. Traffic through this
 * node stops until the new balancer is attached moments later (drain the node first). Only called after the node left the Raft configuration.
 */
final class RejoinReset {
    /** The health-check forwarder's tc filter (BalancerDatapath's handle and priority). */
    private static final int TC_HANDLE = 1;

    private static final int TC_PRIORITY = 1;

    private RejoinReset() {}

    /** Clears this node's state; returns one line per thing done, for the log. */
    static List<String> clear(NodeSettings settings) {
        List<String> done = new ArrayList<>();
        done.add(clearDir("Raft data dir", settings.dataDir()));
        if (settings.attachMode() == AttachMode.SHARED) {
            done.add(SharedXdpRoot.clearSlot(
                    settings.rootArrayPin().orElseThrow(), settings.rootSlot().getAsInt()));
        } else {
            done.addAll(detachOwnPrograms(settings));
        }
        done.add(clearDir("pin dir", settings.pinDir()));
        return done;
    }

    /**
     * Standalone mode: the interface's XDP program and the tc egress forwarder, if they are programs pinned in this
     * node's pin dir (ours; anything else is left alone and the start refuses it with its own message). Once the
     * pins are gone the new agent could no longer tell them from a stranger's, so they go first.
     */
    private static List<String> detachOwnPrograms(NodeSettings settings) {
        Set<Integer> ours = pinnedProgramIds(settings.pinDir());
        List<String> done = new ArrayList<>();
        int ifindex;
        try {
            ifindex = Xdp.ifindex(settings.interfaceName());
        } catch (BpfException e) {
            return List.of("no interface " + settings.interfaceName() + "; nothing to detach");
        }
        Xdp.Mode mode = settings.xdpMode() == XdpMode.DRIVER ? Xdp.Mode.DRIVER : Xdp.Mode.GENERIC;
        int xdp = Xdp.attachedId(ifindex, mode);
        if (xdp != 0 && ours.contains(xdp)) {
            Xdp.detach(ifindex, mode);
            done.add("detached the old balancer (program id " + xdp + ") from " + settings.interfaceName());
        }
        int tc = Tc.attachedId(ifindex, Tc.Direction.EGRESS, TC_HANDLE, TC_PRIORITY);
        if (tc != 0 && ours.contains(tc)) {
            Tc.detach(new Tc.Attachment(ifindex, Tc.Direction.EGRESS, TC_HANDLE, TC_PRIORITY, tc));
            done.add("detached the old health-check forwarder (program id " + tc + ") from " + settings.interfaceName()
                    + " egress");
        }
        return done;
    }

    /** Ids of the programs pinned under {@code dir}. */
    private static Set<Integer> pinnedProgramIds(Path dir) {
        Set<Integer> ids = new HashSet<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            // PinnedProgram names program pins prog_<kind>_...; opening a map pin as a program would not fail
            // (the kernel answers a map's info), so the name is what tells them apart
            for (Path p : walk.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().startsWith("prog_"))
                    .toList()) {
                try (BpfProgram prog = BpfProgram.openPinned(p)) {
                    ids.add(prog.id());
                } catch (BpfException gone) {
                    // unpinned meanwhile: nothing of ours to detach
                }
            }
        } catch (IOException e) {
            throw new AgentException("cannot read the pin dir " + dir + ": " + e.getMessage(), e);
        }
        return ids;
    }

    /** Deletes what is inside {@code dir} (deepest first), not the directory itself. */
    private static String clearDir(String what, Path dir) {
        if (!Files.isDirectory(dir)) {
            return what + " " + dir + " absent; nothing to clear";
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> inside = walk.filter(p -> !p.equals(dir))
                    .sorted(Comparator.reverseOrder())
                    .toList();
            for (Path p : inside) {
                Files.delete(p);
            }
            return "cleared " + what + " " + dir + " (" + inside.size() + " entries)";
        } catch (IOException e) {
            throw new AgentException("cannot clear the " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }
}
