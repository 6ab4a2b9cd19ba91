package io.ringfleet.chaos.agents;

import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The LBs' route-announcement hook (lb-agent's {@code route-hook}), standing in for BGP: a shell script that
 * edits the router's ECMP route of each VIP so that it lists exactly the LBs announcing that VIP. lb-agent runs
 * it inside its LB's namespace as {@code HOOK announce VIP...} or {@code HOOK withdraw VIP...} with
 * {@code RINGFLEET_NODE_ID} set; the script reaches the router with {@code ip -n}.
 *
 * <p>Who announces what is kept as files ({@code STATE/vips/VIP/NODE}) under a lock, so the three agents' calls
 * never race; every call rewrites the route of every VIP it knows from those files. A VIP nobody announces
 * becomes {@code unreachable}, as {@link Topology} writes it.
 */
final class RouteHookScript {
    private RouteHookScript() {}

    /** Writes the script and its state directory under dir; returns the script's path. */
    static Path write(Path dir, Topology topology) {
        Path state = dir.resolve("routes");
        Path script = dir.resolve("route-hook");
        try {
            Files.createDirectories(state.resolve("vips"));
            Files.createDirectories(state.resolve("nodes"));
            for (LbNode lb : topology.lbs()) {
                // the router's next hop towards this LB, per family, and the router's device on that link
                Files.writeString(
                        state.resolve("nodes").resolve(lb.id()),
                        lb.address4().getHostAddress() + " " + lb.address6().getHostAddress() + " " + lb.id() + "\n");
            }
            Files.writeString(script, text(state, topology.router().name()));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("writing the route hook in " + dir, e);
        }
        return script;
    }

    private static String text(Path state, String router) {
        return """
                #!/bin/bash
                # Route hook of the Ringfleet demo's LBs (written by chaos-tests' RouteHookScript): BGP's stand-in.
                # lb-agent runs: route-hook announce|withdraw VIP...   (RINGFLEET_NODE_ID names the LB)
                set -euo pipefail
                state='%s'
                router='%s'
                node="${RINGFLEET_NODE_ID:?RINGFLEET_NODE_ID is not set}"
                action="${1:?usage: route-hook announce|withdraw VIP...}"
                shift
                [ -f "$state/nodes/$node" ] || { echo "route-hook: unknown node $node" >&2; exit 2; }
                exec 9>"$state/lock"
                flock 9
                rm -f "$state"/vips/*/"$node"
                case "$action" in
                  announce) for vip in "$@"; do mkdir -p "$state/vips/$vip"; : > "$state/vips/$vip/$node"; done ;;
                  withdraw) ;;
                  *) echo "route-hook: unknown action $action" >&2; exit 2 ;;
                esac
                shopt -s nullglob
                for dir in "$state"/vips/*; do
                  vip="${dir##*/}"
                  if [[ "$vip" == *:* ]]; then family=-6; prefix="$vip/128"; else family=-4; prefix="$vip/32"; fi
                  hops=()
                  for file in "$dir"/*; do
                    read -r via4 via6 dev < "$state/nodes/${file##*/}"
                    if [ "$family" = -6 ]; then via="$via6"; else via="$via4"; fi
                    hops+=(nexthop via "$via" dev "$dev")
                  done
                  if [ ${#hops[@]} -eq 0 ]; then
                    ip -n "$router" "$family" route replace unreachable "$prefix"
                  else
                    ip -n "$router" "$family" route replace "$prefix" "${hops[@]}"
                  fi
                done
                """.formatted(state, router);
    }
}
