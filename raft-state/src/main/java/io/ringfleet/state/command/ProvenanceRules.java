package io.ringfleet.state.command;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetVersions;

/**
 * What the state machine checks, deterministically, about a batch as a whole before any command: its size
 * ({@link BatchLimits}) and its provenance (principal, via-node, time, request id), so a client of the log that
 * bypasses the API cannot get an oversized entry applied nor record a malformed identity. It cannot know who
 * really sent the entry (only the transport does: the Raft port admits the configured peers alone); it checks
 * that what was stamped is well-formed and that the via-node is a peer of the fleet (once the image's settings list the peers). A rule of fleet version 2
 * ({@link FleetVersions.Rule#BATCH_PROVENANCE}): replicas on older software apply such entries, so a fleet
 * checks them only once every peer runs software that does.
 */
final class ProvenanceRules {
    private ProvenanceRules() {}

    /** Rejects the batch as a whole (INVALID_ARGUMENT) if it is too large or its provenance is malformed. */
    static void check(CommandBatch batch, FleetImage image) throws Reject {
        checkSize(batch);
        checkPrincipal(batch.getPrincipal());
        checkViaNode(batch.getViaNode());
        if (!image.settings().settings().map(s -> s.hasPeer(batch.getViaNode())).orElse(true)) {
            throw Reject.invalid("via_node " + Reject.quote(batch.getViaNode())
                    + " is not a peer of this fleet: only the fleet's nodes write to its log");
        }
        if (batch.getTimestampMillis() <= 0) {
            throw Reject.invalid("timestamp_millis is " + batch.getTimestampMillis()
                    + ": the API edge stamps the wall clock in Unix milliseconds, which is above 0");
        }
        checkRequestId(batch.getRequestId());
    }

    private static void checkSize(CommandBatch batch) throws Reject {
        if (batch.getCommandsCount() > BatchLimits.MAX_COMMANDS) {
            throw Reject.invalid("the batch has " + batch.getCommandsCount() + " commands: at most "
                    + BatchLimits.MAX_COMMANDS + " per batch; split it into several");
        }
        int bytes = batch.getSerializedSize();
        if (bytes > BatchLimits.MAX_BATCH_BYTES) {
            throw Reject.invalid("the batch is " + bytes + " bytes encoded: at most " + BatchLimits.MAX_BATCH_BYTES
                    + " bytes (1 MiB) per batch; split it into several");
        }
    }

    private static void checkPrincipal(String principal) throws Reject {
        if (principal.isEmpty() || principal.length() > BatchLimits.MAX_PRINCIPAL) {
            throw Reject.invalid("principal is " + principal.length() + " characters: allowed 1.."
                    + BatchLimits.MAX_PRINCIPAL + " (the caller's certificate CN, stamped at the API edge)");
        }
        for (int i = 0; i < principal.length(); i++) {
            if (!printable(principal, i)) {
                throw Reject.invalid("principal has a control, format or unpaired surrogate character at position " + i
                        + ": a principal is printable text");
            }
        }
    }

    private static void checkViaNode(String via) throws Reject {
        boolean ok = !via.isEmpty() && via.length() <= BatchLimits.MAX_VIA_NODE && alnum(via.charAt(0));
        for (int i = 1; ok && i < via.length(); i++) {
            char c = via.charAt(i);
            ok = alnum(c) || c == '.' || c == '_' || c == '-';
        }
        if (!ok) {
            throw Reject.invalid("via_node " + Reject.quote(via) + " is not a peer id: 1.." + BatchLimits.MAX_VIA_NODE
                    + " letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    private static void checkRequestId(String id) throws Reject {
        if (id.isEmpty() || id.length() > BatchLimits.MAX_REQUEST_ID) {
            throw Reject.invalid(
                    "request_id is " + id.length() + " characters: allowed 1.." + BatchLimits.MAX_REQUEST_ID);
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw Reject.invalid("request_id has a character that is not printable ASCII at position " + i
                        + ": use letters, digits and punctuation, no spaces");
            }
        }
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * Not a C0/C1 control, not an invisible or direction-changing format character, not half a surrogate pair.
     * The ranges are listed, not read from {@link Character#getType}, whose answer changes with the JDK's Unicode
     * version: replicas on different JDKs must agree.
     */
    private static boolean printable(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return false;
        }
        if ((c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f)) {
            return false;
        }
        if (c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb)) {
            return false;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
        }
        return true;
    }
}
