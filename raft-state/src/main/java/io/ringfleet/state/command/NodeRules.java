package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.notFound;
import static io.ringfleet.state.command.Reject.quote;

import io.ringfleet.api.DrainNode;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.GatewayMacSet;
import io.ringfleet.api.NodeDrained;
import io.ringfleet.api.NodeUndrained;
import io.ringfleet.api.SetGatewayMac;
import io.ringfleet.api.UndrainNode;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.MacAddress;
import java.util.Optional;

/**
 * The LB nodes: drain_node, undrain_node, and set_gateway_mac (the next hop every node forwards to). Node ids
 * are 1..128 characters of [A-Za-z0-9._-]; a drain reason at most 256 characters, stamped with the batch's
 * principal and timestamp (from the API edge, never the clock). From fleet version 3 a drained or undrained node
 * must be a peer of the log's settings (an undrain may also name a node the log holds drained). The gateway MAC is unicast and not all-zero.
 */
final class NodeRules {
    private static final int MAX_NODE_ID = 128;
    private static final int MAX_REASON = 256;

    private NodeRules() {}

    static void drain(CommandContext ctx, DrainNode c) throws Reject {
        String nodeId = nodeId(c.getNodeId());
        requireKnown(ctx, nodeId, "drain");
        if (c.getReason().length() > MAX_REASON) {
            throw invalid(
                    "drain reason is " + c.getReason().length() + " characters long: allowed at most " + MAX_REASON);
        }
        if (!ctx.state().nodesAfter().isDrained(nodeId)) {
            ctx.emit(FleetRecord.newBuilder()
                    .setNodeDrained(NodeDrained.newBuilder()
                            .setNodeId(nodeId)
                            .setReason(c.getReason())
                            .setDrainedAtMillis(ctx.batch().getTimestampMillis())
                            .setDrainedBy(ctx.batch().getPrincipal())));
        }
    }

    static void undrain(CommandContext ctx, UndrainNode c) throws Reject {
        String nodeId = nodeId(c.getNodeId());
        boolean drained = ctx.state().nodesAfter().isDrained(nodeId);
        if (!drained) {
            requireKnown(ctx, nodeId, "undrain");
        }
        if (drained) {
            ctx.emit(FleetRecord.newBuilder()
                    .setNodeUndrained(NodeUndrained.newBuilder().setNodeId(nodeId)));
        }
    }

    static void setGatewayMac(CommandContext ctx, SetGatewayMac c) throws Reject {
        String text = c.getMac();
        MacAddress mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid("gateway mac " + quote(text) + " is malformed: expected six hex octets separated by colons,"
                    + " e.g. 0a:1b:2c:3d:4e:5f");
        }
        if (mac.isZero()) {
            throw invalid("gateway mac " + mac + " is all zeros: give the next hop's unicast MAC");
        }
        if (mac.isMulticast()) {
            throw invalid("gateway mac " + mac + " is a multicast address (lowest bit of the first octet set):"
                    + " a next hop must be unicast");
        }
        if (!ctx.state().gatewayMacAfter().map(mac::equals).orElse(false)) {
            ctx.emit(FleetRecord.newBuilder()
                    .setGatewayMacSet(GatewayMacSet.newBuilder().setMac(mac.toByteString())));
        }
    }

    /**
     * From fleet version 3 ({@link FleetVersions.Rule#NODE_NAMES}) a node must be a peer of the settings in the
     * log: only the log is read, so every replica refuses alike whatever its local config says.
     */
    private static void requireKnown(CommandContext ctx, String nodeId, String verb) throws Reject {
        if (!ctx.enforces(FleetVersions.Rule.NODE_NAMES)) {
            return;
        }
        Optional<FleetSettings> settings = ctx.state().settingsAfter().settings();
        if (settings.isEmpty() || settings.get().hasPeer(nodeId)) {
            return;
        }
        throw notFound("cannot " + verb + " node " + quote(nodeId) + ": not a peer of the fleet (peers: "
                + String.join(
                        ", ", settings.get().peers().stream().map(FleetPeer::id).toList()) + ")");
    }

    private static String nodeId(String id) throws Reject {
        boolean ok = !id.isEmpty() && id.length() <= MAX_NODE_ID;
        for (int i = 0; ok && i < id.length(); i++) {
            char c = id.charAt(i);
            ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
        }
        if (!ok) {
            throw invalid("node id " + quote(id) + " is invalid: allowed 1.." + MAX_NODE_ID
                    + " characters from A-Z a-z 0-9 . _ -");
        }
        return id;
    }
}
