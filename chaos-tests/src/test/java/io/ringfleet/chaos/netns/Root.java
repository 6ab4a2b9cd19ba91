package io.ringfleet.chaos.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this JVM runs as root (namespaces, XDP and BPF maps need it). */
public final class Root {
    private Root() {}

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
