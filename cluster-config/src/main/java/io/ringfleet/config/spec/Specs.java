package io.ringfleet.config.spec;

import io.ringfleet.state.IpAddress;

/** Parsing of the spec's scalar values, each failure a message that says what is allowed. */
final class Specs {
    static final int MAX_WEIGHT = 65535;

    private Specs() {}

    static IpAddress address(String text) {
        IpAddress a;
        try {
            a = IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 or IPv6 address");
        }
        return a;
    }

    static int port(String text) {
        long port = number(text, 0, 65535, "port");
        return (int) port;
    }

    static long number(String text, long min, long max, String what) {
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " \"" + text + "\" is not a number: allowed " + min + ".." + max);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is out of range: allowed " + min + ".." + max);
        }
        return value;
    }
}
