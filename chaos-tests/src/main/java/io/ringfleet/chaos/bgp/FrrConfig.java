package io.ringfleet.chaos.bgp;

import io.ringfleet.chaos.netns.LbNode;
import java.nio.file.Path;
import java.util.List;

/** The router's FRR configuration, one file per daemon (each daemon reads only its own). */
final class FrrConfig {
    private FrrConfig() {}

    static void write(Path dir, String hostname, List<LbNode> lbs, boolean bfd) {
        Daemons.write(dir.resolve("vtysh.conf"), "! vtysh of one run's router: sockets in this directory\n");
        Daemons.write(dir.resolve("zebra.conf"), zebra(hostname));
        Daemons.write(dir.resolve("bfdd.conf"), bfdd());
        Daemons.write(dir.resolve("bgpd.conf"), bgpd(lbs, bfd));
    }

    /**
     * zebra installs each route with its next hops inline, not through kernel nexthop objects ({@code nhid}): with
     * nexthop objects, once an LB's link had gone down and up (a host failure and return), zebra showed the
     * returned LB in the IPv4 route (and FRR's {@code show ip route} with it) while the kernel's route kept
     * forwarding without it (BgpRoutingTest, timed against the kernel, caught it; IPv6 came back).
     */
    private static String zebra(String hostname) {
        return "hostname " + hostname + "\nno zebra nexthop kernel enable\n";
    }

    private static String bfdd() {
        return """
                bfd
                 profile lb
                  detect-multiplier %d
                  transmit-interval %d
                  receive-interval %d
                 exit
                exit
                """.formatted(BgpTimers.BFD_MULTIPLIER, BgpTimers.BFD_INTERVAL_MS, BgpTimers.BFD_INTERVAL_MS);
    }

    private static String bgpd(List<LbNode> lbs, boolean bfd) {
        StringBuilder b = new StringBuilder();
        b.append("router bgp ").append(BgpTimers.ROUTER_AS).append('\n');
        b.append(" bgp router-id 10.77.0.254\n");
        // FRR 8 refuses eBGP routes without a policy unless told otherwise; the LBs send only their VIPs
        b.append(" no bgp ebgp-requires-policy\n");
        b.append(" no bgp default ipv4-unicast\n");
        b.append(" bgp bestpath as-path multipath-relax\n");
        for (LbNode lb : lbs) {
            String peer = lb.address4().getHostAddress();
            b.append(" neighbor ")
                    .append(peer)
                    .append(" remote-as ")
                    .append(BgpTimers.LB_AS)
                    .append('\n');
            b.append(" neighbor ")
                    .append(peer)
                    .append(" description ")
                    .append(lb.id())
                    .append('\n');
            b.append(" neighbor ")
                    .append(peer)
                    .append(" timers ")
                    .append(BgpTimers.KEEPALIVE_S)
                    .append(' ')
                    .append(BgpTimers.HOLD_S)
                    .append('\n');
            b.append(" neighbor ")
                    .append(peer)
                    .append(" timers connect ")
                    .append(BgpTimers.CONNECT_RETRY_S)
                    .append('\n');
            if (bfd) {
                b.append(" neighbor ").append(peer).append(" bfd profile lb\n");
            }
        }
        for (String family : List.of("ipv4", "ipv6")) {
            b.append(" address-family ").append(family).append(" unicast\n");
            b.append("  maximum-paths ").append(Math.max(2, lbs.size())).append('\n');
            for (LbNode lb : lbs) {
                String peer = lb.address4().getHostAddress();
                b.append("  neighbor ").append(peer).append(" activate\n");
                // the router announces nothing back to the LBs: they only originate VIPs
                b.append("  neighbor ").append(peer).append(" route-map none-out out\n");
            }
            b.append(" exit-address-family\n");
        }
        b.append("exit\nroute-map none-out deny 10\nexit\n");
        return b.toString();
    }
}
