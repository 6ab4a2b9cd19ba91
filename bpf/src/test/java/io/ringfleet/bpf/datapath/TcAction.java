package io.ringfleet.bpf.datapath;

/** tc (SCHED_CLS) return codes, as a test run returns them. */
final class TcAction {
    private TcAction() {}

    static final int UNSPEC = -1;
    static final int OK = 0;
    static final int SHOT = 2;
    static final int REDIRECT = 7;

    static String name(int action) {
        return switch (action) {
            case UNSPEC -> "TC_ACT_UNSPEC";
            case OK -> "TC_ACT_OK";
            case SHOT -> "TC_ACT_SHOT";
            case REDIRECT -> "TC_ACT_REDIRECT";
            default -> "TC_ACT_" + action;
        };
    }

    static int parse(String name) {
        return switch (name) {
            case "TC_ACT_UNSPEC" -> UNSPEC;
            case "TC_ACT_OK" -> OK;
            case "TC_ACT_SHOT" -> SHOT;
            case "TC_ACT_REDIRECT" -> REDIRECT;
            default -> throw new IllegalArgumentException("unknown tc action " + name);
        };
    }
}
