package io.ringfleet.agent.api;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;

/** VIP keys named by read requests, parsed with the same rules (and wording) as commands. */
final class VipKeys {
    private VipKeys() {}

    /** @throws IllegalArgumentException with a message that says what is allowed */
    static VipKey parse(io.ringfleet.api.VipKey proto) {
        IpAddress address;
        try {
            address = IpAddress.parse(proto.getAddress());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "vip address \"" + cut(proto.getAddress()) + "\" is not a valid IP address (" + e.getMessage()
                            + "): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets");
        }
        if (Integer.compareUnsigned(proto.getPort(), 65535) > 0) {
            throw new IllegalArgumentException("vip port " + Integer.toUnsignedString(proto.getPort())
                    + " is out of range: allowed 0..65535 (0 = all ports)");
        }
        return new VipKey(address, proto.getPort(), protocol(proto.getProtocolValue()));
    }

    /** @throws IllegalArgumentException unless the number is 6 (TCP) or 17 (UDP) */
    static Protocol protocol(int number) {
        if (number == Protocol.TCP.number()) {
            return Protocol.TCP;
        }
        if (number == Protocol.UDP.number()) {
            return Protocol.UDP;
        }
        if (number == 0) {
            throw new IllegalArgumentException("vip protocol is missing: allowed TCP (6) or UDP (17)");
        }
        throw new IllegalArgumentException("vip protocol " + number + " is not supported: allowed TCP (6) or UDP (17)");
    }

    static String cut(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
