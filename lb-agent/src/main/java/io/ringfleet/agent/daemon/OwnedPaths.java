package io.ringfleet.agent.daemon;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The agent's own files must be its own: a data dir, pin dir or key file that another user owns or may write
 * lets that user replace the Raft log, delete pins or swap the key (a review did exactly that under a
 * world-writable parent: the agent restarted empty). So each such path must be owned by the agent's user and
 * not group- or world-writable, and every directory above it must be owned by root or that user and, if others
 * may write it, have the sticky bit (as /tmp has: others cannot rename or delete what is not theirs). Directories
 * the agent creates are created 0700. Paths are checked as resolved (symbolic links followed). Each refusal is
 * one line naming the path and the fix.
 */
final class OwnedPaths {
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;
    private static final int ROOT = 0;

    private final int uid;

    private OwnedPaths(int uid) {
        this.uid = uid;
    }

    /** Checks against the user this process runs as. */
    static OwnedPaths ofThisProcess() {
        try {
            // /proc/self belongs to the process's effective user
            return new OwnedPaths(uid(Path.of("/proc/self")));
        } catch (IOException e) {
            throw new AgentException("cannot tell which user this agent runs as (/proc/self): " + e, e);
        }
    }

    /**
     * Creates {@code dir} (and missing parents) 0700 if absent, then checks it and its parents.
     *
     * @param what what it is and its config key, e.g. "data dir (data-dir)"
     */
    void ownDirectory(Path dir, String what) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            createPrivate(abs);
            // the checks are of the directories really used, links resolved (a link's own mode means nothing)
            abs = abs.toRealPath();
            check(abs, what, true);
            for (Path p = abs.getParent(); p != null; p = p.getParent()) {
                checkParent(p, abs, what);
            }
        } catch (IOException e) {
            throw new AgentException("cannot use the " + what + " " + abs + ": " + e, e);
        }
    }

    /** Checks an existing file (a private key) and its parents. */
    void ownFile(Path file, String what) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            abs = abs.toRealPath();
            check(abs, what, false);
            for (Path p = abs.getParent(); p != null; p = p.getParent()) {
                checkParent(p, abs, what);
            }
        } catch (IOException e) {
            throw new AgentException("cannot use the " + what + " " + abs + ": " + e, e);
        }
    }

    private static void createPrivate(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null && !Files.exists(parent)) {
            createPrivate(parent);
        }
        try {
            Files.createDirectory(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
            // made meanwhile by someone else: the checks below decide
        }
    }

    private void check(Path p, String what, boolean directory) throws IOException {
        if (directory != Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new AgentException("the " + what + " " + p + " is not a " + (directory ? "directory" : "file"));
        }
        int owner = uid(p);
        if (owner != uid) {
            throw new AgentException("the " + what + " " + p + " is owned by uid " + owner + ", not by this agent's"
                    + " user (uid " + uid + "): chown " + uid + " " + p + " (after checking its contents)");
        }
        int mode = mode(p);
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            throw new AgentException("the " + what + " " + p + " is writable by group or others (mode " + octal(mode)
                    + "): chmod go-w " + p + (directory ? " (0700 is what the agent creates)" : ""));
        }
    }

    private void checkParent(Path parent, Path of, String what) throws IOException {
        int owner = uid(parent);
        if (owner != ROOT && owner != uid) {
            throw new AgentException("the " + what + " " + of + " lies under " + parent + ", owned by uid " + owner
                    + " (neither root nor this agent's user): that user can replace it; move the " + what
                    + " or chown root " + parent);
        }
        int mode = mode(parent);
        if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
            throw new AgentException("the " + what + " " + of + " lies under " + parent + ", which group or others"
                    + " may write without the sticky bit (mode " + octal(mode) + "): they can rename it away; chmod"
                    + " go-w " + parent + " (or +t), or move the " + what);
        }
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static String octal(int mode) {
        return String.format("%04o", mode);
    }
}
