package io.ringfleet.chaos.agents;

import io.ringfleet.chaos.bgp.BgpRouting;
import io.ringfleet.chaos.bgp.BirdRouteHook;
import io.ringfleet.chaos.bgp.BirdSpeaker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The agents' route hook when the run has real BGP ({@link BgpRouting}): the shipped {@code
 * scripts/route-hook-bird}, pointed at the calling node's BIRD. The fleet config has one route-hook for every
 * node, so this wrapper picks the node's BIRD from {@code RINGFLEET_NODE_ID} (each BIRD's files are in
 * {@code BGP_DIR/<node id>/}) and execs the shipped script.
 */
final class BirdHookScript {
    private BirdHookScript() {}

    /** Writes the wrapper under dir; returns its path. */
    static Path write(Path dir, BgpRouting bgp) {
        Path script = dir.resolve("route-hook-bird-wrapper");
        BirdSpeaker any = bgp.speakers().get(0);
        Path birdDirs = any.dir().getParent();
        try {
            Files.createDirectories(dir);
            Files.writeString(script, """
                    #!/bin/bash
                    # Written by chaos-tests' BirdHookScript: this node's BIRD, then the shipped hook.
                    set -euo pipefail
                    node="${RINGFLEET_NODE_ID:?RINGFLEET_NODE_ID is not set}"
                    export RINGFLEET_BIRD_SOCKET='%1$s'/"$node"/bird.ctl
                    export RINGFLEET_BIRD_VIPS='%1$s'/"$node"/vips.conf
                    exec '%2$s' "$@"
                    """.formatted(birdDirs, BirdRouteHook.shipped()));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("writing the BIRD route hook in " + dir, e);
        }
        return script;
    }

    /** The fleet config's {@code bird-socket}, templated by node id. */
    static String birdSocketTemplate(BgpRouting bgp) {
        return bgp.speakers()
                .get(0)
                .dir()
                .getParent()
                .resolve("{id}")
                .resolve("bird.ctl")
                .toString();
    }
}
