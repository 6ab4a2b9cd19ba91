package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.quote;

import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.IpAddress;
import java.util.List;
import java.util.Optional;

/**
 * What makes a text an address that any command accepts (VIP, real, health-check destination, QUIC real):
 * IPv4 dotted quad or IPv6 text; not 0.0.0.0/::; not IPv4-mapped IPv6 (write the IPv4).
 *
 * <p>The fleet-wide address policy, which addresses may become a VIP or a real, is here too, so every domain
 * applies the same. It is a rule of fleet version 2 ({@link FleetVersions.Rule#ADDRESS_POLICY}): a fleet that
 * has not finalised version 2 accepts what it always did, so replicas mid-upgrade validate alike. It is checked
 * where an address enters the state (add_vip, add_reals, map_quic_server_ids, set_health_check_dst; the Katran
 * API goes through those commands), not where a command names an address already there, so a VIP or real
 * accepted before the policy can still be looked up and removed.
 *
 * <ul>
 *   <li>A VIP is not loopback (127.0.0.0/8, ::1), multicast (224.0.0.0/4, ff00::/8), the limited broadcast
 *       255.255.255.255, unspecified or link-local (169.254.0.0/16, fe80::/10), nor the IP of a peer's Raft,
 *       API or metrics address in the fleet settings: the balancer captures every packet to a VIP on its
 *       interface, so such a VIP would capture the node's own traffic (a loopback VIP took the fleet's Raft
 *       and API traffic on {@code lo}) or traffic that is not the balancer's to forward.
 *   <li>A real (and a QUIC real, and a health-check destination, which is a real's address) is never multicast,
 *       broadcast or unspecified: it is the outer destination of a unicast encapsulated packet. Loopback and
 *       link-local reals stay allowed (the list; a real on the node's own link is a deployment choice).
 * </ul>
 */
final class AddressRules {
    private static final IpAddress LOOPBACK_V6 = IpAddress.parse("::1");
    private static final String VIP_RULE = ": a vip must be a unicast address routed to the balancers, not loopback,"
            + " multicast, broadcast, unspecified, link-local or a peer's control address";
    private static final String REAL_RULE =
            ": a real must be a unicast address of a backend, not multicast, broadcast or unspecified";

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

    /** The address of a VIP being added: a unicast address the balancers may capture (from fleet version 2). */
    static void vip(CommandContext ctx, IpAddress address) throws Reject {
        if (!ctx.enforces(FleetVersions.Rule.ADDRESS_POLICY)) {
            return;
        }
        String range = reserved(address, true);
        if (range != null) {
            throw invalid("vip address " + quote(address.toString()) + " is " + range + VIP_RULE);
        }
        Optional<FleetSettings> settings = ctx.state().settingsAfter().settings();
        for (FleetPeer peer : settings.map(FleetSettings::peers).orElse(List.of())) {
            if (peer.controlIps().contains(address)) {
                throw invalid("vip address " + quote(address.toString()) + " is a control address of peer "
                        + peer.id() + " (raft " + peer.raftAddress() + ", api " + peer.apiAddress()
                        + (peer.metricsAddress().isEmpty() ? "" : ", metrics " + peer.metricsAddress()) + ")"
                        + VIP_RULE);
            }
        }
    }

    /**
     * An address being added as a real ({@code what}: "real address", "quic real address", "health-check
     * address"), {@code text} parsed: a unicast address (from fleet version 2).
     */
    static IpAddress real(CommandContext ctx, String text, String what) throws Reject {
        IpAddress address = address(text, what);
        if (!ctx.enforces(FleetVersions.Rule.ADDRESS_POLICY)) {
            return address;
        }
        String range = reserved(address, false);
        if (range != null) {
            throw invalid(what + " " + quote(address.toString()) + " is " + range + REAL_RULE);
        }
        return address;
    }

    /**
     * Which refused range {@code address} belongs to, as a message names it; null for none. Loopback and
     * link-local count only for a VIP.
     */
    private static String reserved(IpAddress address, boolean vip) {
        byte[] b = address.bytes();
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (address.isV4()) {
            if (vip && b0 == 127) {
                return "a loopback address (127.0.0.0/8)";
            }
            if ((b0 & 0xf0) == 224) {
                return "a multicast address (224.0.0.0/4)";
            }
            if (b0 == 255 && b1 == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255) {
                return "the limited broadcast address (255.255.255.255)";
            }
            if (vip && b0 == 169 && b1 == 254) {
                return "a link-local address (169.254.0.0/16)";
            }
            return null;
        }
        if (vip && address.equals(LOOPBACK_V6)) {
            return "the loopback address (::1)";
        }
        if (b0 == 0xff) {
            return "a multicast address (ff00::/8)";
        }
        if (vip && b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            return "a link-local address (fe80::/10)";
        }
        return null;
    }
}
