package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.quote;

import io.ringfleet.state.IpAddress;

/**
 * What makes a text an address that any command accepts (VIP, real, health-check destination, QUIC real):
 * IPv4 dotted quad or IPv6 text; not 0.0.0.0/::; not IPv4-mapped IPv6 (write the IPv4).
 *
 * <p>The fleet-wide address policy, which addresses may become a VIP or a real, is here too, so every domain
 * applies the same. It is checked where an address enters the state (add_vip, add_reals, map_quic_server_ids,
 * set_health_check_dst; the Katran API goes through those commands), not where a command names an address
 * already there, so a VIP or real accepted before the policy can still be looked up and removed.
 *
 * <ul>
 *   <li>A VIP is not loopback (127.0.0.0/8, ::1), multicast (224.0.0.0/4, ff00::/8), the limited broadcast
 *       255.255.255.255 or link-local (169.254.0.0/16, fe80::/10): the balancer captures every packet to a
 *       VIP on its interface, so such a VIP would capture the node's own traffic (a loopback VIP took the
 *       fleet's Raft and API traffic on {@code lo}) or traffic that is not the balancer's to forward.
 *   <li>A real (and a QUIC real, and a health-check destination, which is a real's address) is not multicast
 *       or broadcast either, and not loopback or link-local: a real is the outer destination of a packet the
 *       balancer encapsulates and sends to the gateway (XDP_TX to its MAC), and no router forwards a loopback
 *       destination (a martian) or a link-local one off the link; 169.254.169.254 is a cloud's metadata
 *       service, not a backend. The same classes as a node's health-check source address (cluster-config).
 * </ul>
 *
 * <p>Not here yet: a VIP must not be one of a peer's own control addresses (raft-address, api-address). Those
 * are in each node's config, not in the log, and validation reads only the image and the command; when the
 * fleet settings move into the log (a later change), that check goes in {@link #vip}, read from the image.
 */
final class AddressRules {
    private static final IpAddress LOOPBACK_V6 = IpAddress.parse("::1");

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

    /** The address of a VIP being added: a unicast address the balancers may capture. */
    static void vip(IpAddress address) throws Reject {
        String range = reserved(address);
        if (range != null) {
            throw invalid("vip address " + quote(address.toString()) + " is " + range
                    + ": a vip must be a unicast address routed to the balancers,"
                    + " not loopback, multicast, broadcast or link-local");
        }
        // A peer's own raft/api address would be refused here too, once fleet settings are in the log.
    }

    /**
     * An address being added as a real ({@code what}: "real address", "quic real address", "health-check
     * address"), {@code text} parsed: a unicast address the gateway routes to.
     */
    static IpAddress real(String text, String what) throws Reject {
        IpAddress address = address(text, what);
        String range = reserved(address);
        if (range != null) {
            throw invalid(what + " " + quote(address.toString()) + " is " + range
                    + ": a real must be a unicast address of a backend the gateway routes to,"
                    + " not loopback, multicast, broadcast or link-local");
        }
        return address;
    }

    /** Which range refused {@code address} belongs to, as a message names it; null for none. */
    private static String reserved(IpAddress address) {
        byte[] b = address.bytes();
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (address.isV4()) {
            if (b0 == 127) {
                return "a loopback address (127.0.0.0/8)";
            }
            if ((b0 & 0xf0) == 224) {
                return "a multicast address (224.0.0.0/4)";
            }
            if (b0 == 255 && b1 == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255) {
                return "the limited broadcast address (255.255.255.255)";
            }
            if (b0 == 169 && b1 == 254) {
                return "a link-local address (169.254.0.0/16)";
            }
            return null;
        }
        if (address.equals(LOOPBACK_V6)) {
            return "the loopback address (::1)";
        }
        if (b0 == 0xff) {
            return "a multicast address (ff00::/8)";
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            return "a link-local address (fe80::/10)";
        }
        return null;
    }
}
