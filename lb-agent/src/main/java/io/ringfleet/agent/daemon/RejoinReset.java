package io.ringfleet.agent.daemon;

import io.ringfleet.config.AttachMode;
import io.ringfleet.config.NodeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code lb-agent --rejoin} wipes before the node starts again as a new member: its Raft storage (the data
 * dir's contents), its pinned BPF objects (the pin dir's contents) and, in shared mode, its own slot of xdp_root
 * (whose old balancer would otherwise keep the slot and make the new one be refused). Other nodes' slots, the
 * xdp_root program and its array stay. Only called after the node left the Raft configuration.
 */
final class RejoinReset {
    private RejoinReset() {}

    /** Clears this node's state; returns one line per thing done, for the log. */
    static List<String> clear(NodeSettings settings) {
        List<String> done = new ArrayList<>();
        done.add(clearDir("Raft data dir", settings.dataDir()));
        done.add(clearDir("pin dir", settings.pinDir()));
        if (settings.attachMode() == AttachMode.SHARED) {
            done.add(SharedXdpRoot.clearSlot(
                    settings.rootArrayPin().orElseThrow(), settings.rootSlot().getAsInt()));
        }
        return done;
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
