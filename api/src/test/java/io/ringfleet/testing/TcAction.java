package io.ringfleet.testing;

/** tc (SCHED_CLS) return codes, as a test run returns them. */
public final class TcAction {
    private TcAction() {}

    public static final int UNSPEC = -1;
    public static final int OK = 0;
    public static final int SHOT = 2;
    public static final int REDIRECT = 7;

    public static String name(int action) {
        return switch (action) {
            case UNSPEC -> "TC_ACT_UNSPEC";
            case OK -> "TC_ACT_OK";
            case SHOT -> "TC_ACT_SHOT";
            case REDIRECT -> "TC_ACT_REDIRECT";
            default -> "TC_ACT_" + action;
        };
    }

    public static int parse(String name) {
        return switch (name) {
            case "TC_ACT_UNSPEC" -> UNSPEC;
            case "TC_ACT_OK" -> OK;
            case "TC_ACT_SHOT" -> SHOT;
            case "TC_ACT_REDIRECT" -> REDIRECT;
            default -> throw new IllegalArgumentException("unknown tc action " + name);
        };
    }
}
