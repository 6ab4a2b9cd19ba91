package io.ringfleet.config;

/**
 * A node's resolution: its settings (null if anything was wrong), its attach mode, and where each value came
 * from, so that cross-node checks can point at the line that set it.
 */
record ResolvedNode(PeerSlot peer, NodeSettings settings, AttachMode mode, Picks picks, Section own) {
    Picked<?> pick(Field<?> field) {
        return picks.get(field);
    }
}
