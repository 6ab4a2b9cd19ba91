package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.quote;

import io.ringfleet.state.IpAddress;

/**
 * What makes a text an address that any command accepts (VIP, real, health-check destination, QUIC real):
 * IPv4 dotted quad or IPv6 text; not 0.0.0.0/::; not IPv4-mapped IPv6 (write the IPv4). A fleet-wide
 * address policy (which addresses may be a VIP or a real) belongs here, so every domain applies the same.
 */
final class AddressRules {
    private AddressRules() {}

    /** {@code text} parsed; {@code what} names the field in the message ("vip address", "real address"...). */
    static IpAddress address(String text, String what) throws Reject {
        IpAddress address;
        try {
            address = IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(what + " " + quote(text) + " is not a valid IP address (" + e.getMessage()
                    + "): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets");
        }
        if (address.isUnspecified()) {
            throw invalid(what + " " + address + " is the unspecified address: give a host address");
        }
        if (address.isV4Mapped()) {
            byte[] b = address.bytes();
            throw invalid(what + " " + quote(text) + " is an IPv4-mapped IPv6 address: write it as the IPv4 address "
                    + IpAddress.fromBytes(new byte[] {b[12], b[13], b[14], b[15]}));
        }
        return address;
    }
}
