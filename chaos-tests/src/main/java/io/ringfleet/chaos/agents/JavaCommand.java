package io.ringfleet.chaos.agents;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command line that runs a main class of this project in a new JVM inside a network namespace: {@code nsenter
 * --net=/run/netns/NAME java ... MAIN args}. nsenter, not {@code ip netns exec}: the latter remounts /sys, which
 * hides the bpffs mount the agents pin their maps in. nsenter execs (no fork for a network namespace), so the
 * process started is the JVM itself and a kill reaches it.
 */
final class JavaCommand {
    /** Small heap, serial GC and C1 only: three agents and their lbctl calls share two cores with the traffic. */
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms32m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xss512k",
            "--enable-native-access=ALL-UNNAMED");

    private JavaCommand() {}

    static List<String> inNamespace(
            Path namespace, String mainClass, List<String> systemProperties, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + namespace, "--"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        for (String p : systemProperties) {
            cmd.add("-D" + p);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}
