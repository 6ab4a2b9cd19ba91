package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.netns.Addresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Batches of commands as {@code lbctl apply -f} reads them (JSON, field names of commands.proto). */
final class CommandJson {
    private final List<String> commands = new ArrayList<>();

    static String key(InetAddress address, int port, String protocol) {
        return "{\"address\": \"" + Addresses.text(address) + "\", \"port\": " + port + ", \"protocol\": \"" + protocol
                + "\"}";
    }

    CommandJson addVip(String key) {
        commands.add("{\"add_vip\": {\"vip\": " + key + "}}");
        return this;
    }

    CommandJson addReals(String key, Map<String, Integer> reals) {
        List<String> specs = new ArrayList<>();
        reals.forEach((a, w) -> specs.add("{\"address\": \"" + a + "\", \"weight\": " + w + "}"));
        commands.add("{\"add_reals\": {\"vip\": " + key + ", \"reals\": [" + String.join(", ", specs) + "]}}");
        return this;
    }

    CommandJson removeReals(String key, List<String> addresses) {
        List<String> quoted = addresses.stream().map(a -> "\"" + a + "\"").toList();
        commands.add("{\"remove_reals\": {\"vip\": " + key + ", \"addresses\": [" + String.join(", ", quoted) + "]}}");
        return this;
    }

    String json() {
        return "{\"commands\": [" + String.join(", ", commands) + "]}\n";
    }
}
