package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.NetNs;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and removal of the run's network namespaces. Every namespace of one run is named
 * {@code rfc-PID-XXXX-ROLE} (PID of the JVM, XXXX random), so a run removes exactly its own with one
 * prefix, and a later run can remove what a run killed with -9 left behind (its PID is gone).
 */
public final class Namespaces {
    /** What every run's prefix starts with. */
    public static final String FAMILY = "rfc-";

    private static final Pattern RUN = Pattern.compile("^" + FAMILY + "(\\d+)-([0-9a-f]{4})-");

    private Namespaces() {}

    /** A fresh prefix for this JVM: {@code rfc-PID-XXXX-}. */
    public static String newPrefix() {
        byte[] r = new byte[2];
        new SecureRandom().nextBytes(r);
        return FAMILY + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(r) + "-";
    }

    /** Names of the machine's named namespaces ({@code ip netns list}). */
    public static List<String> list() {
        List<String> names = new ArrayList<>();
        for (String line : NetNs.run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.strip();
            int space = name.indexOf(' ');
            if (space > 0) {
                name = name.substring(0, space);
            }
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Deletes every namespace whose name starts with prefix; idempotent. Returns how many it deleted.
     * Failures to delete one are collected and thrown after trying all.
     */
    public static int deleteAll(String prefix) {
        if (prefix == null || !prefix.startsWith(FAMILY) || prefix.length() <= FAMILY.length()) {
            throw new IllegalArgumentException(
                    "prefix must start with '" + FAMILY + "' and name a run, got '" + prefix + "'");
        }
        int deleted = 0;
        List<String> failures = new ArrayList<>();
        for (String name : list()) {
            if (name.startsWith(prefix)) {
                try {
                    NetNs.run(List.of("ip", "netns", "del", name));
                    deleted++;
                } catch (RuntimeException e) {
                    failures.add(name + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not delete namespaces: " + String.join("; ", failures));
        }
        return deleted;
    }

    /** Deletes the namespaces of earlier runs whose JVM is gone (killed -9). Returns how many. */
    public static int deleteStale() {
        int deleted = 0;
        for (String name : list()) {
            Matcher m = RUN.matcher(name);
            if (m.find() && !alive(Long.parseLong(m.group(1)))) {
                NetNs.run(List.of("ip", "netns", "del", name));
                deleted++;
            }
        }
        return deleted;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
