package io.ringfleet.chaos.bgp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shipped hook {@code scripts/route-hook-bird}, run the way lb-agent's {@code RouteAnnouncer} runs a
 * route hook: in the LB's namespace, {@code announce|withdraw VIP...}, {@code RINGFLEET_NODE_ID} set, plus the
 * environment that points it at this LB's BIRD.
 */
public final class BirdRouteHook {
    private BirdRouteHook() {}

    /** The script in the source tree (the build runs in a module directory; the script is in ../scripts). */
    public static Path shipped() {
        String configured = System.getProperty("ringfleet.scripts");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path script = d.resolve("scripts").resolve("route-hook-bird");
            if (Files.isExecutable(script)) {
                return script;
            }
        }
        throw new IllegalStateException("scripts/route-hook-bird not found above " + dir
                + " (set -Dringfleet.scripts=DIR to the repository's scripts/ parent)");
    }

    /** Runs the hook for speaker's LB; throws with the hook's output if it exits non-zero. Returns its output. */
    public static String run(BirdSpeaker speaker, String action, List<String> vips) {
        List<String> cmd = new ArrayList<>(List.of(
                "ip", "netns", "exec", speaker.lb().ns().name(), shipped().toString(), action));
        cmd.addAll(vips);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(speaker.hookEnvironment());
        pb.environment().put("RINGFLEET_NODE_ID", speaker.lb().id());
        pb.environment().put("RINGFLEET_ACTION", action);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("route-hook-bird " + action + " did not exit within 10 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("route-hook-bird " + action + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run route-hook-bird: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
