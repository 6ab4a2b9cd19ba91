package io.ringfleet.chaos.flowsurvival;

import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.Topology;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code lbctl apply -f} batch (JSON, field names of commands.proto) on the scenario's two TCP VIPs (the
 * topology's IPv4 and IPv6 VIP on its echo port): each command is issued for both, so both rings change together.
 */
final class Batch {
    private final Topology topology;
    private final List<String> commands = new ArrayList<>();

    Batch(Topology topology) {
        this.topology = topology;
    }

    Batch addVips() {
        for (boolean v6 : List.of(false, true)) {
            commands.add("{\"add_vip\": {\"vip\": " + key(v6) + "}}");
        }
        return this;
    }

    Batch addReals(List<BackendNode> reals, int weight) {
        return perVip("add_reals", reals, weight);
    }

    Batch setWeights(List<BackendNode> reals, int weight) {
        return perVip("set_real_weights", reals, weight);
    }

    Batch removeReals(List<BackendNode> reals) {
        for (boolean v6 : List.of(false, true)) {
            List<String> quoted =
                    reals.stream().map(b -> "\"" + address(b, v6) + "\"").toList();
            commands.add("{\"remove_reals\": {\"vip\": " + key(v6) + ", \"addresses\": [" + String.join(", ", quoted)
                    + "]}}");
        }
        return this;
    }

    String json() {
        return "{\"commands\": [" + String.join(", ", commands) + "]}\n";
    }

    private Batch perVip(String kind, List<BackendNode> reals, int weight) {
        for (boolean v6 : List.of(false, true)) {
            List<String> specs = reals.stream()
                    .map(b -> "{\"address\": \"" + address(b, v6) + "\", \"weight\": " + weight + "}")
                    .toList();
            commands.add(
                    "{\"" + kind + "\": {\"vip\": " + key(v6) + ", \"reals\": [" + String.join(", ", specs) + "]}}");
        }
        return this;
    }

    private String key(boolean v6) {
        InetAddress vip = v6 ? topology.vip6() : topology.vip4();
        return "{\"address\": \"" + Addresses.text(vip) + "\", \"port\": " + topology.echoPort()
                + ", \"protocol\": \"TCP\"}";
    }

    private static String address(BackendNode b, boolean v6) {
        return Addresses.text(v6 ? b.address6() : b.address4());
    }
}
