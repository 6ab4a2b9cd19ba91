package io.ringfleet.testing;

/** XDP return codes, and their names as Katran's fixtures write them. */
public final class XdpAction {
    private XdpAction() {}

    public static final int ABORTED = 0;
    public static final int DROP = 1;
    public static final int PASS = 2;
    public static final int TX = 3;
    public static final int REDIRECT = 4;

    public static String name(int action) {
        return switch (action) {
            case ABORTED -> "XDP_ABORTED";
            case DROP -> "XDP_DROP";
            case PASS -> "XDP_PASS";
            case TX -> "XDP_TX";
            case REDIRECT -> "XDP_REDIRECT";
            default -> "XDP_" + action;
        };
    }

    public static int parse(String name) {
        return switch (name) {
            case "XDP_ABORTED" -> ABORTED;
            case "XDP_DROP" -> DROP;
            case "XDP_PASS" -> PASS;
            case "XDP_TX" -> TX;
            case "XDP_REDIRECT" -> REDIRECT;
            default -> throw new IllegalArgumentException("unknown XDP action " + name);
        };
    }
}
