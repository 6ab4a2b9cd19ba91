package io.ringfleet.state.filter;

import io.ringfleet.api.FilterConditions;
import io.ringfleet.api.FilterPortRange;

/** A rule's conditions besides its key (protocol, ports, TCP flags, length), checked for {@link FilterRule#of}. */
final class FilterConditionsCheck {
    private static final int TCP = 6;
    private static final int UDP = 17;

    private FilterConditionsCheck() {}

    static void check(FilterConditions c, boolean dns) {
        if (c.getProtocol() > 255 || c.getProtocol() < 0) {
            throw new IllegalArgumentException(
                    "conditions.protocol " + Integer.toUnsignedString(c.getProtocol()) + " is not 0..255 (0: any)");
        }
        if (c.hasSourcePorts()) {
            ports("conditions.source_ports", c.getSourcePorts());
        }
        if (c.hasDestinationPorts()) {
            ports("conditions.destination_ports", c.getDestinationPorts());
        }
        tcpFlags(c);
        length(c);
        if (dns) {
            dnsConditions(c);
        }
    }

    private static void ports(String field, FilterPortRange r) {
        long from = Integer.toUnsignedLong(r.getFrom());
        long to = Integer.toUnsignedLong(r.getTo());
        if (to < 1 || to > 65535 || from > to) {
            throw new IllegalArgumentException(field + " " + from + "-" + to + " is not a range within 0-65535 with"
                    + " from <= to and to >= 1 (leave it unset for any port)");
        }
    }

    private static void tcpFlags(FilterConditions c) {
        int mask = c.getTcpFlagsMask();
        int value = c.getTcpFlagsValue();
        if ((mask & ~0xff) != 0 || (value & ~mask) != 0) {
            throw new IllegalArgumentException("conditions.tcp_flags_mask 0x" + Integer.toHexString(mask)
                    + " / tcp_flags_value 0x" + Integer.toHexString(value)
                    + ": both fit in one byte and the value uses only bits of the mask");
        }
        if (mask != 0 && c.getProtocol() != 0 && c.getProtocol() != TCP) {
            throw new IllegalArgumentException(
                    "conditions.tcp_flags_mask is for TCP, but conditions.protocol is " + c.getProtocol());
        }
    }

    private static void length(FilterConditions c) {
        long min = Integer.toUnsignedLong(c.getLengthMin());
        long max = Integer.toUnsignedLong(c.getLengthMax());
        if (max == 0 && min != 0) {
            throw new IllegalArgumentException(
                    "conditions.length_min " + min + " needs a length_max (65535 for no upper bound)");
        }
        if (max > 65535 || min > max) {
            throw new IllegalArgumentException("conditions.length_min " + min + " / length_max " + max
                    + " are not a range within 0-65535 with min <= max");
        }
    }

    /** A DNS rule matches UDP queries to port 53 only. */
    private static void dnsConditions(FilterConditions c) {
        if (c.getProtocol() != 0 && c.getProtocol() != UDP) {
            throw new IllegalArgumentException(
                    "conditions.protocol " + c.getProtocol() + " on a dns rule: it matches UDP queries only");
        }
        if (c.getTcpFlagsMask() != 0 || c.hasDestinationPorts()) {
            throw new IllegalArgumentException("conditions.tcp_flags_mask and conditions.destination_ports are not"
                    + " for dns rules: they match UDP queries to port 53");
        }
    }
}
