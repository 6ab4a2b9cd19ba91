package io.ringfleet.chaos.netnschaos;

import com.google.protobuf.Message;
import io.ringfleet.agent.cli.LbctlJson;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.ListVipsResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.RealInfo;
import io.ringfleet.api.VipInfo;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.netns.LbNode;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/** Reads through the real lbctl with {@code -o json}, parsed back into the API's messages. */
final class FleetReads {
    private final LbAgentFleet fleet;

    FleetReads(LbAgentFleet fleet) {
        this.fleet = fleet;
    }

    /** {@code lbctl -o json status} on lb's host (fleet-wide, as lb sees it). */
    GetStatusResponse status(LbNode lb) {
        GetStatusResponse.Builder b = GetStatusResponse.newBuilder();
        parse(run(lb, "status"), b);
        return b.build();
    }

    /** {@code lbctl -o json vip list --reals} on lb's host: VIP text → (real address → weight). */
    SortedMap<String, SortedMap<String, Integer>> vips(LbNode lb) {
        ListVipsResponse.Builder b = ListVipsResponse.newBuilder();
        parse(run(lb, "vip", "list", "--reals"), b);
        SortedMap<String, SortedMap<String, Integer>> out = new TreeMap<>();
        for (VipInfo v : b.getVipsList()) {
            SortedMap<String, Integer> reals = new TreeMap<>();
            for (RealInfo r : v.getRealsList()) {
                reals.put(r.getAddress(), r.getWeight());
            }
            out.put(
                    vipText(
                            v.getVip().getProtocol().name(),
                            v.getVip().getAddress(),
                            v.getVip().getPort()),
                    reals);
        }
        return out;
    }

    static String vipText(String protocol, String address, int port) {
        return protocol.toLowerCase(Locale.ROOT) + " " + (address.contains(":") ? "[" + address + "]" : address) + ":"
                + port;
    }

    static String hex(com.google.protobuf.ByteString digest) {
        return HexFormat.of().formatHex(digest.toByteArray());
    }

    /** One line per node of a status, for reports. */
    static String describe(GetStatusResponse s) {
        StringBuilder b = new StringBuilder("leader " + (s.getLeaderId().isEmpty() ? "none" : s.getLeaderId()));
        for (NodeStatus n : s.getNodesList()) {
            b.append(String.format(
                    "%n    %s live=%s role=%s term=%d applied=%d programmed=%d rings=%s drained=%s%s",
                    n.getNodeId(),
                    n.getLive(),
                    n.getRole(),
                    n.getTerm(),
                    n.getAppliedIndex(),
                    n.getProgrammedIndex(),
                    shortHex(n.getRingsDigest()),
                    n.getDrained(),
                    n.getError().isEmpty() ? "" : " error=" + n.getError()));
        }
        return b.toString();
    }

    static String shortHex(com.google.protobuf.ByteString digest) {
        String h = hex(digest);
        return h.isEmpty() ? "-" : h.substring(0, Math.min(12, h.length()));
    }

    private String run(LbNode lb, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "-o";
        all[args.length + 1] = "json";
        LbctlProcess.Result r = fleet.lbctl().run(lb, all);
        if (!r.ok()) {
            throw new ReadFailed(
                    r.shown() + " on " + lb.id() + " exited " + r.exit() + ": " + (r.err() + r.out()).strip());
        }
        return r.out();
    }

    private static void parse(String out, Message.Builder b) {
        String json =
                out.lines().filter(l -> l.startsWith("{")).reduce((a, c) -> c).orElse("");
        try {
            LbctlJson.mergeIgnoringUnknown(json, b);
        } catch (Exception e) {
            throw new ReadFailed("lbctl printed no " + b.getDescriptorForType().getName() + ": " + out.strip());
        }
    }

    /** An lbctl read that did not succeed (the node may be down or cut off). */
    static final class ReadFailed extends RuntimeException {
        ReadFailed(String message) {
            super(message);
        }
    }
}
