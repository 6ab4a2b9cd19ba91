package io.ringfleet.bpf.datapath;

/** XDP return codes. */
final class XdpAction {
    private XdpAction() {}

    static final int ABORTED = 0;
    static final int DROP = 1;
    static final int PASS = 2;
    static final int TX = 3;

    static String name(int action) {
        return switch (action) {
            case ABORTED -> "XDP_ABORTED";
            case DROP -> "XDP_DROP";
            case PASS -> "XDP_PASS";
            case TX -> "XDP_TX";
            default -> "XDP_" + action;
        };
    }

    static int parse(String name) {
        return switch (name) {
            case "XDP_ABORTED" -> ABORTED;
            case "XDP_DROP" -> DROP;
            case "XDP_PASS" -> PASS;
            case "XDP_TX" -> TX;
            default -> throw new IllegalArgumentException("unknown XDP action " + name);
        };
    }
}
