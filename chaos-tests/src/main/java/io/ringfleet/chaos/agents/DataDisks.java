package io.ringfleet.chaos.agents;

import io.ringfleet.bpf.NetNs;
import io.ringfleet.chaos.netns.LbNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Each LB's data directory (Raft log, snapshots) on a small tmpfs of its own, mounted before its agent starts, so a
 * disk-full fault fills one node's disk and nobody else's: {@link #fill} writes a file until the file system
 * refuses (ENOSPC), {@link #free} deletes it. Mounts are refused only without CAP_SYS_ADMIN; then {@link
 * #available()} is false and the scenario says why it injects no disk fault.
 */
public final class DataDisks {
    /** Room for a run's Raft log segments (preallocated 4 MiB at a time) and snapshots, and not much more. */
    static final String SIZE = "64m";

    private static final String FILLER = "disk-full.filler";

    private final Path dataRoot;
    private final List<Path> mounted = new ArrayList<>();
    private String refusal;

    DataDisks(Path dataRoot) {
        this.dataRoot = dataRoot;
    }

    /** Mounts a tmpfs on each LB's data directory; a refusal is recorded, not thrown. */
    void mount(List<LbNode> lbs, Consumer<String> log) {
        for (LbNode lb : lbs) {
            Path dir = dataDir(lb.id());
            try {
                Files.createDirectories(dir);
                NetNs.run(
                        List.of("mount", "-t", "tmpfs", "-o", "size=" + SIZE + ",mode=0700", "tmpfs", dir.toString()));
                mounted.add(dir);
            } catch (IOException | RuntimeException e) {
                refusal = "mounting a " + SIZE + " tmpfs on " + dir + " was refused: " + e.getMessage();
                log.accept(refusal + " (no disk-full faults)");
                return;
            }
        }
        log.accept("data dirs: a " + SIZE + " tmpfs each under " + dataRoot);
    }

    /** Unmounts what was mounted (best effort: a busy mount is lazily detached). */
    void unmount(Consumer<String> log) {
        for (Path dir : mounted) {
            try {
                NetNs.run(List.of("umount", "-l", dir.toString()));
            } catch (RuntimeException e) {
                log.accept("unmounting " + dir + " failed: " + e.getMessage());
            }
        }
        mounted.clear();
    }

    public boolean available() {
        return refusal == null && !mounted.isEmpty();
    }

    /** Why disk faults cannot be injected, or null. */
    public String refusal() {
        return refusal;
    }

    public Path dataDir(String nodeId) {
        return dataRoot.resolve(nodeId);
    }

    /** Fills lbN's data disk until the file system refuses; returns the bytes written. */
    public long fill(String nodeId) {
        Path filler = dataDir(nodeId).resolve(FILLER);
        byte[] chunk = new byte[1 << 20];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException full) {
            // ENOSPC ("No space left on device"): the disk is full, which is the point
            if (!String.valueOf(full.getMessage()).contains("space")) {
                throw new UncheckedIOException("filling " + filler + " failed otherwise than by a full disk", full);
            }
        }
        return written;
    }

    /** Bytes still free on lbN's data disk. */
    public long free(String nodeId) {
        try {
            return Files.getFileStore(dataDir(nodeId)).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the free space of " + dataDir(nodeId), e);
        }
    }

    /** Deletes the filler: the disk has room again. */
    public void release(String nodeId) {
        try {
            Files.deleteIfExists(dataDir(nodeId).resolve(FILLER));
        } catch (IOException e) {
            throw new UncheckedIOException("freeing " + dataDir(nodeId), e);
        }
    }
}
